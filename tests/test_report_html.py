"""Questions about the report drawn for Jupyter (grader.outputs.report_html) and how check() shows it.

The fragment is compared with the terminal report (the same verdicts, ids
and points), searched for anything hostile text could have turned into
markup, opened in a real headless Chromium inside a page as wide as
JupyterLab's output area, and shown by check() in a real kernel.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console

import test_notebook
from conftest import (BUGGY, BUNDLED, EXERCISES, REFERENCE, TEMPLATE, assignment_ids, has, needs, needs_bundled,
                      reference_source)
from grader import api
from grader.submissions.conversion import Cell, definitions
from grader.authoring.course import find_course
from grader.submissions.notebook import _collected_lines, check
from grader.outputs.report import render
from grader.outputs.report_html import ROOT_CLASS, render_html
from grader.outputs.results import CaseCount, CheckResult, ExerciseResult, Report, Worst
from grader.judging.values import Frame

#: The kernelspec fixtures of the notebook tests, shared so both run the same interpreter.
kernel_env, monkeypatch_module = test_notebook.kernel_env, test_notebook.monkeypatch_module
KERNEL = test_notebook.KERNEL

HOSTILE = "<script>alert(1)</script>"
ESCAPES = "\u202eevil\x1b[2J\r\x07\x85"


def hostile_report() -> Report:
    """A report where every free-text field a submission can reach holds markup, controls or brackets."""
    check = CheckResult(
        id=f"fc.backward.dW_{HOSTILE}", title="backward: self.dW = ∇_W L [x]_1", passed=False, score=0, max_score=2,
        diagnosis=("layout_transposed",), message=f"{HOSTILE} raised \"><img src=x onerror=alert(2)> {ESCAPES}",
        hint="use *args and __init__ [not](javascript:alert(3))", max_rel_error=0.5,
        worst=Worst(case=f"public-1{HOSTILE}", index=(0, 1), expected=1.0, given=2.0),
        expected_layout="(3, 5) = (out, in) <b>bold</b>", given_layout="(5, 3) & 'quoted'",
        frames=(Frame(file=f"In [4]{HOSTILE}", line=12, func="<lambda>", code="x = np.dot(a, b)  # </pre><script>"),),
        cases=(CaseCount("public", 0, 4),))
    stub = CheckResult(id="fc.forward", title="forward [stub]", passed=False, score=0, max_score=2,
                       diagnosis=("not_implemented",), message="NotImplementedError")
    ok = CheckResult(id="fc.jacobian", title="jacobian", passed=True, score=1, max_score=1)
    fc = ExerciseResult(id="fc", title="Linear", status="graded", score=1, max_score=5, checks=(check, stub, ok),
                        message=f"a note {HOSTILE}", case_counts=(CaseCount("public", 4, 4),))
    crashed = ExerciseResult(id="relu", title="ReLU", status="crashed", score=0, max_score=1,
                             checks=(CheckResult(id="relu.forward", title="forward", passed=False, score=0,
                                                 max_score=1, message="the worker died"),),
                             message="the worker died", output=f"print {HOSTILE}\n{ESCAPES}\nlast_line [1]")
    return Report(submission=f"the code {HOSTILE}", mode="student", exercises=(fc, crashed),
                  isolation=("process", HOSTILE), notes=(f"note {HOSTILE}", "dropped In [3]: a call _x_"),
                  isolation_skipped=(("seccomp", f"no {HOSTILE}"),))


def long_report(base: Report) -> Report:
    """`base` plus an exercise whose id, message, code and output are long runs without a space."""
    word = "scanning_mlp_backward_dW1_" * 12
    check = CheckResult(id=f"scanning_mlp.{word}", title=word, passed=False, score=0, max_score=1,
                        message=f"{word}{'x' * 300} and then some", hint=word, expected_layout=word, given_layout=word,
                        frames=(Frame(file=f"In [{word}]", line=1, func=word, code="y = " + "a" * 400),))
    ex = ExerciseResult(id=word, title=word, status="crashed", score=0, max_score=1, checks=(check,), message=word,
                        output="\n".join(["z" * 500] * 3))
    return Report(submission=base.submission, mode=base.mode, exercises=base.exercises + (ex,),
                  isolation=base.isolation, notes=(word * 3,), isolation_skipped=base.isolation_skipped,
                  worker_uid=base.worker_uid)


class Parsed(HTMLParser):
    """Elements, text, the top-level elements, the summary-table rows and (check id, points) pairs of a fragment."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr"}

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.top, self.rows, self.checks, self.texts = [], [], [], [], []
        self.stack: list[tuple[str, str]] = []
        self.unbalanced = False
        self._row = self._cell = self._span = None
        self._id = None
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        self.tags.append((tag, attrs))
        if not self.stack:
            self.top.append((tag, cls))
        if tag in self.VOID:
            return
        self.stack.append((tag, cls))
        if tag == "tr" and any(t == "table" and "bpg-summary" in c for t, c in self.stack) and \
                any(t == "tbody" for t, _ in self.stack):
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = ""
        elif tag == "span" and cls in ("bpg-id", "bpg-pts"):
            self._span = (cls, "")

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1][0] != tag:
            self.unbalanced = True
            return
        self.stack.pop()
        if tag == "td" and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(tuple(self._row))
            self._row = None
        elif tag == "span" and self._span is not None:
            kind, text = self._span
            self._span = None
            if kind == "bpg-id":
                self._id = text
            else:
                self.checks.append((self._id, text))

    def handle_data(self, data):
        self.texts.append(data)
        if self._cell is not None:
            self._cell += data
        if self._span is not None:
            self._span = (self._span[0], self._span[1] + data)


def terminal(report: Report) -> str:
    out = io.StringIO()
    render(report, Console(file=out, width=250, color_system=None, force_terminal=False, force_jupyter=False))
    return out.getvalue()


def terminal_rows(text: str) -> list[tuple[str, ...]]:
    """The summary table's body rows of a colourless terminal report: the cells of each │-row."""
    table = text[:text.index("└")]
    rows = [tuple(cell.strip() for cell in line.strip().strip("│").split("│"))
            for line in table.splitlines() if line.startswith("│")]
    return rows


def terminal_checks(text: str) -> set[tuple[str, str]]:
    """(check id, points) of every failing check the terminal names: panel titles and bullet lines."""
    titles = re.findall(r"✗ (\S+)  (\S+/\S+) ─", text)
    bullets = re.findall(r"• (\S+)  .*\((\S+/\S+)\)\s*│", text)
    return set(titles) | set(bullets)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, Report]:
    """Reports of the reference, the buggy example, the templates, a file that does not import, and three made
    up: the hostile one, an exercise in status error whose checks failed in different ways, and two of four failing
    checks sharing one cause."""
    broken = tmp_path_factory.mktemp("broken") / EXERCISES[assignment_ids()[0]].file
    broken.write_text("import numpy_that_does_not_exist\n")
    checks = tuple(CheckResult(id=f"relu.c{k}", title="t", passed=False, score=0, max_score=k, message=f"m{k}")
                   for k in (1, 2))
    error = Report(submission="s", mode="student", exercises=(ExerciseResult(
        id="relu", title="ReLU", status="error", score=0, max_score=3, checks=checks, message="it broke"),))
    shared = [CheckResult(id=f"fc.c{k}", title="t", passed=False, score=0, max_score=1, message=f"m{k}",
                          cause="Linear.backward raised KeyError at In [4], line 3" if k < 3 else "")
              for k in range(1, 5)]
    cause = Report(submission="s", mode="student", exercises=(ExerciseResult(
        id="fc", title="Linear", status="graded", score=1, max_score=5, checks=(*shared, CheckResult(
            id="fc.ok", title="t", passed=True, score=1, max_score=1)), case_counts=(CaseCount("public", 1, 4),)),))
    buggy = {"buggy": api.grade(BUGGY)} if has(*BUNDLED) else {}
    return {"reference": api.grade(REFERENCE), **buggy, "templates": api.grade(TEMPLATE), "broken": api.grade(broken),
            "hostile": hostile_report(), "error": error, "cause": cause}


# ---------------------------------------------------------------------------
# The fragment


def test_is_hostile_student_text_shown_as_text_and_never_run():
    page = render_html(hostile_report(), notes=[f"Collected {HOSTILE}"])
    parsed = Parsed(page)
    assert {t for t, _ in parsed.tags} <= {"div", "style", "span", "table", "thead", "tbody", "tr", "th", "td",
                                           "details", "summary", "ul", "li", "pre", "code", "b"}
    assert {a for _, attrs in parsed.tags for a, _ in attrs} <= {"class"}
    assert "<script" not in page and "<img" not in page and "<b>bold" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 10
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page and "&lt;/pre&gt;" in page
    for raw in "\u202e\x1b\r\x07\x85":
        assert raw not in page
    assert "\\u202eevil\\x1b[2J\\r\\x07\\x85" in page
    text = "".join(parsed.texts)
    assert "fc.backward.dW_<script>" in text and "__init__ [not](javascript:alert(3))" in text
    assert "∇_W L [x]_1" in text and "[0, 1] in case public-1" in text and "last_line [1]" in text


@pytest.mark.course
def test_is_the_report_one_fragment_under_one_root_element(graded):
    for report in graded.values():
        parsed = Parsed(render_html(report))
        assert parsed.top == [("div", ROOT_CLASS)] and not parsed.stack and not parsed.unbalanced


def test_does_the_fragment_need_nothing_outside_itself():
    page = render_html(long_report(hostile_report()))
    assert "http" not in page and "url(" not in page and "@import" not in page and "<script" not in page
    css = page[page.index("<style>") + 7:page.index("</style>")]
    selectors = [rule.split("{")[0] for rule in css.split("}") if rule.strip()]
    assert selectors and all(part.strip().startswith(f".{ROOT_CLASS}") for s in selectors for part in s.split(","))
    backgrounds = re.findall(r"background[-a-z]*:([^;}]+)", css)     # translucent tints only, so dark themes read
    assert backgrounds and all(re.fullmatch(r"rgba\(127,127,127,0\.\d+\)", b) for b in backgrounds), backgrounds
    classes = {c for _, attrs in Parsed(page).tags for a, v in attrs if a == "class" for c in v.split()}
    assert classes and all(c.startswith("bpg-") for c in classes)


def test_are_the_notes_one_collapsed_section_with_each_line_once():
    report = hostile_report()
    page = render_html(report, notes=["Collected from the code you ran: Linear (In [4])", "kept twice", "kept twice"]
                       + list(report.notes))
    notes = page[page.index('<details class="bpg-notes">'):]
    assert page.count('<details class="bpg-notes">') == 1 and "<details open" not in page
    assert notes.count("kept twice") == 1 and notes.count("note &lt;script&gt;") == 1
    assert notes.count("<li") == 4 and "Notes: Collected from the code you ran: Linear (In [4]) (and 3 more)" in notes


def test_does_a_class_run_many_times_give_one_note_line():
    linear = "class Linear:\n    pass\n"
    cells = [Cell(1, "import numpy as np"), Cell(2, linear), Cell(3, "Linear()"), Cell(4, linear), Cell(5, linear),
             Cell(6, "def helper():\n    return 1\n"), Cell(7, linear), Cell(8, "def helper():\n    return 2\n")]
    lines = _collected_lines(definitions(cells, origin="In"))
    assert [line for line in lines if "Linear" in line and "run" in line] == [
        "Linear was run 4 times: only the last run, In [7], is graded (earlier runs not used: In [2], In [4], In [5])"]
    assert "helper was run 2 times: only the last run, In [8], is graded (earlier runs not used: In [6])" in lines
    assert not [line for line in lines if "is defined again later" in line]


@pytest.mark.course
@pytest.mark.parametrize("name", ["reference", "buggy", "templates", "broken", "hostile", "error",
                                  "cause"])
def test_does_the_html_show_the_same_verdicts_as_the_terminal(graded, name):
    if name not in graded:
        pytest.skip(f"the course under test has no exercise {', '.join(BUNDLED)}, which the example is written for")
    report = graded[name]
    text, parsed = terminal(report), Parsed(render_html(report))
    assert parsed.rows == terminal_rows(text)
    assert len(parsed.rows) == len(report.exercises) + 1 and parsed.rows[-1][0] == "total"
    shown = set(parsed.checks)
    assert len(shown) == len(parsed.checks)                     # no check is shown twice
    assert shown == terminal_checks(text)
    # A missing exercise is one note, not a panel per check (`report_words.failure_sections`).
    failing = {(c.id, f"{c.score:g}/{c.max_score:g}") for e in report.exercises if e.status != "missing"
               for c in e.checks if not c.passed}
    assert shown <= failing and (shown == failing or name == "error")
    assert bool(shown) == (name != "reference")
    assert ("✗" in text) == ("✗" in "".join(parsed.texts))
    foot = [line for line in text.splitlines() if re.match(r"\d+ checks? ran|Instructor mode|No case", line)]
    assert len(foot) == 1 and foot[0].strip() in "".join(parsed.texts)      # the same words on which cases ran


# ---------------------------------------------------------------------------
# In a browser

#: A page shaped like JupyterLab's output area: the prompt column and margins take about 100 px of the window.
#: Its script (the page's, not the fragment's) opens every section, then writes what sticks out into #result.
PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>
body{{margin:0;font:13px/1.3 sans-serif}}
.jp-OutputArea-output{{margin-left:72px;width:calc(100vw - 100px);overflow:hidden}}
</style></head><body><div class="jp-OutputArea-output">{fragment}</div><pre id="result"></pre><script>
for (const d of document.querySelectorAll(".bpg-report details")) d.open = true;
const area = document.querySelector(".jp-OutputArea-output").getBoundingClientRect();
const root = document.querySelector(".bpg-report");
const out = [];
for (const el of [root, ...root.querySelectorAll("*")]) {{
  if (el.tagName === "STYLE") continue;
  const r = el.getBoundingClientRect();
  if (r.width && (r.right > area.right + 0.5 || r.left < area.left - 0.5))
    out.push(`${{el.tagName}}.${{el.className}} spans ${{r.left}}..${{r.right}}`);
  if (el.scrollWidth > el.clientWidth + 1) out.push(`${{el.tagName}}.${{el.className}} scrolls`);
}}
document.getElementById("result").textContent = JSON.stringify({{
  clipped: out, pageFits: document.documentElement.scrollWidth <= window.innerWidth,
  innerWidth: window.innerWidth, areaWidth: area.width, open: root.querySelectorAll("details[open]").length,
  active: root.querySelectorAll("script, img, iframe, object, embed, link").length}});
</script></body></html>"""


def _chromium(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={cwd / 'profile'}", "--enable-logging=stderr", "--v=0", *args, url],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (Debian: apt-get install "
                    "chromium), so the fragment cannot be opened in a real browser here")
@needs_bundled
@pytest.mark.parametrize("width", [1000, 1400, 520])
def test_does_chromium_fit_the_report_in_a_jupyter_output_area_without_clipping(graded, tmp_path, width):
    import numpy as np
    from matplotlib.image import imread

    report = long_report(Report(submission=graded["buggy"].submission, mode="student",
                                exercises=graded["buggy"].exercises + hostile_report().exercises,
                                isolation=graded["buggy"].isolation))
    fragment = render_html(report, notes=["Collected from the code you ran: Linear (In [4])"])
    page = tmp_path / "page.html"
    page.write_text(PAGE.format(fragment=fragment), encoding="utf-8")
    dom = _chromium(page.as_uri(), f"--window-size={width},3000", "--dump-dom", cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line] == []
    found = re.search(r'<pre id="result">(.*?)</pre>', dom.stdout, re.S)
    assert found and found.group(1), dom.stdout[-2000:]
    result = json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    assert result["innerWidth"] == width and result["areaWidth"] == width - 100
    assert result["clipped"] == [] and result["pageFits"] and result["active"] == 0
    assert result["open"] == fragment.count("<details")
    shot = tmp_path / "shot.png"
    run = _chromium(page.as_uri(), f"--window-size={width},3000", f"--screenshot={shot}", cwd=tmp_path)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    pixels = (imread(shot)[..., :3] * 255).round().astype(np.uint8)
    dark = pixels.min(axis=2) < 160
    assert dark.mean() > 0.01                                   # text was drawn
    assert not dark[:, width - 28:].any()                       # and nothing reaches the window's right edge
    if width in (1000, 1400):
        shutil.copyfile(shot, Path("/tmp") / f"jupyter-report-{width}.png")


# ---------------------------------------------------------------------------
# check() in a kernel


@needs("relu")
def test_does_check_in_a_kernel_make_one_display_call_with_html_and_text(monkeypatch):
    calls = []
    monkeypatch.setattr("grader.submissions.notebook.kernel_cells", lambda: [Cell(1, reference_source("relu")),
                                                                 Cell(2, reference_source("relu"))])
    monkeypatch.setattr("grader.submissions.notebook._kernel_display", lambda: lambda *a, **k: calls.append((a, k)))
    assert check("relu") is None
    assert len(calls) == 1
    (bundle,), kwargs = calls[0]
    assert kwargs == {"raw": True} and set(bundle) == {"text/html", "text/plain"}
    assert f'class="{ROOT_CLASS}"' in bundle["text/html"] and "ReLU was run 2 times" in bundle["text/html"]
    assert "│ total" in bundle["text/plain"] and "ReLU was run 2 times" in bundle["text/plain"]


def test_is_a_problem_in_a_kernel_one_display_call_too(monkeypatch):
    calls = []
    monkeypatch.setattr("grader.submissions.notebook.kernel_cells", lambda: [Cell(1, "x = 1")])
    monkeypatch.setattr("grader.submissions.notebook._kernel_display", lambda: lambda *a, **k: calls.append(a[0]))
    check("fully_connected_<b>")
    assert len(calls) == 1 and calls[0]["text/plain"].startswith("Cannot check 'fully_connected_<b>':")
    assert "fully_connected_&lt;b&gt;" in calls[0]["text/html"] and "<b>" not in calls[0]["text/html"]


@needs("relu")
def test_does_a_real_kernel_show_check_as_one_html_output(tmp_path, kernel_env):
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    relu = reference_source("relu")
    nb = new_notebook(cells=[new_code_cell(relu), new_code_cell(relu), new_code_cell("print('trying it')"),
                             new_code_cell(relu), new_code_cell('from grader.submissions.notebook import check\ncheck("relu")')])
    NotebookClient(nb, timeout=120, kernel_name=KERNEL, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = nb.cells[-1].outputs
    assert [o.output_type for o in outputs] == ["display_data"], outputs
    html = outputs[0].data["text/html"]
    assert html.startswith(f'<div class="{ROOT_CLASS}">') and html.count(f'class="{ROOT_CLASS}"') == 1
    assert html.count('<details class="bpg-notes">') == 1 and html.count("was run 3 times") == 1
    points = find_course().exercise("relu").max_score
    assert f"{points:g}/{points:g}" in html and "✗" not in html and "│ total" in outputs[0].data["text/plain"]
    assert nbformat.validate(nb) is None

