"""Questions about the class report page (grader.outputs.class_report): escaping, self-containment, determinism,
and how a real browser draws the page of a real batch."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from grader import api
from grader.outputs.class_report import REPORT_NAME, render_html, write_report
from grader.outputs.class_stats import class_stats

from conftest import BUGGY, BUNDLED, REFERENCE, TEMPLATE, require
from test_class_stats import MAX, doc, hung, stub, unreadable

HOSTILE = "<script>alert(1)</script>"
#: ids that would break out of HTML text, an attribute or a URL if they were not escaped.
IDS = [HOSTILE, "\"><img src=x onerror=alert(2)>", "O'Brien & <b>Sons</b>", "José Müller ❤", "javascript:alert(3)",
       "\u202eevil\x1b[2J"]


def hostile_class() -> list:
    """A class whose ids are hostile, with a wrong mask, a stub, a timeout and an unreadable entry among them."""
    docs = [doc(IDS[0], {"relu.backward": ("wrong_mask",)}), hung(IDS[1]), unreadable(IDS[2]), stub(IDS[3]),
            doc(IDS[4], {"fc.backward.dW": ("layout_transposed",), "relu.backward": ("wrong_mask",)}), doc(IDS[5])]
    stems = ["stem0", "a b\"<c>", "stem2", "Jos_M_ller~0123456789ab", "javascript:alert(3)", "stem5"]
    return [(sid, stem, d) for sid, stem, d in zip(IDS, stems, docs)]


def elements(page: str) -> list[tuple[str, list]]:
    """Every element of the page as the HTML parser sees it: (tag, [(attribute, value), ...])."""
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect().feed(page)
    return found


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(class_stats(hostile_class(), max_score=MAX))


def test_is_a_hostile_id_shown_as_text_and_never_run(page):
    assert "<script" not in page.lower() and HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img" not in page and "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert "O&#x27;Brien &amp; &lt;b&gt;Sons&lt;/b&gt;" in page and "José Müller ❤" in page
    assert "\u202e" not in page and "\x1b" not in page and "\\u202eevil\\x1b[2J" in page


def test_does_every_link_go_to_a_file_beside_the_page_or_within_it(page):
    hrefs = re.findall(r'href="([^"]*)"', page)
    students = [h for h in hrefs if not h.startswith("#")]
    assert students and all(re.fullmatch(r"\./[A-Za-z0-9._~%-]+\.txt", h) for h in students), students
    assert "./a%20b%22%3Cc%3E.txt" in students and "./javascript%3Aalert%283%29.txt" in students
    assert all(re.fullmatch(r"#[\w-]+", h) for h in hrefs if h.startswith("#"))


def test_does_the_page_hold_its_charts_as_inline_svg_and_nothing_from_the_web(page):
    assert page.count("<svg") == 3                              # totals, reteach, pass rates
    assert "http" not in page.lower()
    tags = elements(page)
    assert not {t for t, _ in tags} & {"script", "link", "img", "iframe", "object", "embed", "image", "base"}
    assert not [a for _, attrs in tags for a, _ in attrs if a in ("src", "srcset", "background") or a.startswith("on")]
    assert "@import" not in page and "@font-face" not in page
    assert set(re.findall(r"url\((.)", page)) <= {"#"}           # only references to ids on the page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))                            # charts never share an id


def test_does_the_reteach_table_leave_out_what_is_not_a_misconception(page):
    reteach = page[page.index('id="reteach"'):page.index('id="other"')]
    assert "wrong_mask" in reteach and "layout_transposed" in reteach
    for code in ("not_implemented", "timeout", "missing"):
        assert f"<code>{code}</code>" not in reteach, code
    other = page[page.index('id="other"'):page.index('id="checks"')]
    assert "<code>not_implemented</code>" in other and "<code>timeout</code>" in other


def test_is_the_page_byte_identical_for_the_same_class(tmp_path, page):
    rows = hostile_class()
    assert render_html(class_stats(list(reversed(rows)), max_score=MAX)) == page
    first = write_report(tmp_path, class_stats(rows, max_score=MAX)).read_bytes()
    assert write_report(tmp_path, class_stats(rows, max_score=MAX)).read_bytes() == first == page.encode()
    assert [p.name for p in tmp_path.iterdir()] == [REPORT_NAME]


# ---------------------------------------------------------------------------
# A real batch, opened in a real browser


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory) -> Path:
    """A small graded class: an honest student, the buggy example under a Unicode id, stubs, a hang, junk."""
    require(*BUNDLED)
    base = tmp_path_factory.mktemp("class_report")
    subs = base / "class"
    subs.mkdir()
    shutil.copytree(REFERENCE, subs / "ref", ignore=shutil.ignore_patterns("mutants"))
    shutil.copytree(BUGGY, subs / "José Müller")
    shutil.copytree(TEMPLATE, subs / "stubs")
    (subs / "hang").mkdir()
    (subs / "hang" / "relu.py").write_text("import time\nclass ReLU:\n    def forward(self, x):\n"
                                           "        time.sleep(60)\n")
    (subs / "notes.txt").write_text("not a submission")
    out = base / "out"
    api.batch(subs, out=out, jobs=2, timeout=2)
    return out


def test_does_every_batch_write_a_page_that_links_every_student(batch_dir):
    summary = json.loads((batch_dir / "summary.json").read_text(encoding="utf-8"))
    page = (batch_dir / REPORT_NAME).read_text(encoding="utf-8")
    for student, stem in summary["files"].items():
        assert f'href="./{stem}.txt"' in page and (batch_dir / f"{stem}.txt").is_file(), student
    assert "José Müller" in page and "layout_transposed" in page and "http" not in page


def _chromium(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                           f"--user-data-dir={cwd / 'profile'}", "--enable-logging=stderr", "--v=0", *args, url],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (Debian: apt-get install "
                    "chromium), so the page cannot be opened in a real browser here")
def test_does_chromium_draw_the_page_without_console_errors(batch_dir, tmp_path):
    import numpy as np
    from matplotlib.image import imread

    url = (batch_dir / REPORT_NAME).as_uri()
    dom = _chromium(url, "--dump-dom", cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    problems = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert problems == []
    assert dom.stdout.count("<svg") == 3 and "Class report" in dom.stdout
    shot = tmp_path / "report.png"
    run = _chromium(url, f"--screenshot={shot}", "--window-size=1200,1600", cwd=tmp_path)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    pixels = (imread(shot)[..., :3] * 255).round().astype(np.uint8).reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 100                 # text, bars and links, not a blank page
    assert (pixels.min(axis=1) < 200).mean() > 0.02             # more than a few dark pixels
