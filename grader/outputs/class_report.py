"""The class report page: OUT/report.html, one self-contained page drawn from `grader.outputs.class_stats`.

The page holds the students who need attention and what to do about each,
the histogram of totals, what to reteach (misconceptions counted per
student, overall and per exercise, with the students named), the codes
that are not misconceptions, the pass rate of each check, and every
student with a link to their report.

Conventions:
- Self-contained: inline CSS and inline SVG only; no script, no external
  style sheet, font, image or link to another site, so the page opens from
  the batch folder with no network. Links to students' reports are relative
  (`./<stem>.txt`, percent-encoded with urllib.parse.quote).
- Every piece of text that comes from a submission or the course goes
  through `grader.outputs.neutral.html` (control and bidi characters shown as
  escapes, then html.escape with quotes), so an id such as
  `<script>alert(1)</script>` is shown, never run.
- Charts are drawn with matplotlib's object-oriented `Figure` (never pyplot,
  so no global figure state), as SVG in memory, with mathtext off, a fixed
  `svg.hashsalt` per chart and no metadata (no date), then inlined without
  the XML prologue and namespace declarations and with every id prefixed
  per chart, so ids never collide between charts. The same statistics give
  a byte-identical page.
- matplotlib is imported only when a page is drawn, so `grade` never pays
  for it.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from urllib.parse import quote

from grader.outputs.class_stats import ClassStats, CodeCount, Sighting
from grader.errors import GraderError
from grader.outputs.neutral import html as esc

#: The name of the page in the batch folder.
REPORT_NAME = "report.html"

#: Above this many students, a list of names in a table cell is folded into a <details> element.
FOLD_NAMES = 12

_KIND_WORDS = {"error": "could not be graded", "timeout": "timed out", "crashed": "crashed",
               "memory": "ran out of memory"}

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330;
       margin: 0 auto; max-width: 1100px; padding: 1.5rem; background: #fff; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #e3e7ee; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p.lead { font-size: 1.05rem; margin: .2rem 0 1rem; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #e3e7ee; }
th { background: #f4f6f9; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
code { font: .9em ui-monospace, "DejaVu Sans Mono", monospace; background: #f4f6f9; padding: 0 .2em; }
.kind { font-weight: 600; white-space: nowrap; }
.kind-error { color: #b42318; } .kind-timeout { color: #b54708; } .kind-crashed { color: #b42318; }
.kind-memory { color: #6941c6; }
.muted { color: #5d6675; }
figure { margin: .5rem 0 1rem; }
figure svg { max-width: 100%; height: auto; }
details summary { cursor: pointer; }
a { color: #1849a9; }
"""


class ClassReportError(GraderError):
    """report.html could not be drawn (its plotting library is missing or broken)."""


# ---------------------------------------------------------------------------
# Charts


def _svg(fig, name: str) -> str:
    """The figure as an SVG element for inlining: no prologue, no namespace URIs, ids prefixed by `name`."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = text.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "").replace(
        ' xmlns="http://www.w3.org/2000/svg"', "")
    text = re.sub(r'\bid="', f'id="{name}-', text)
    text = text.replace("url(#", f"url(#{name}-").replace('xlink:href="#', f'xlink:href="#{name}-')
    return text.replace("<svg ", f'<svg role="img" aria-label="{esc(name)}" ', 1)


def _barh(name: str, style: dict, names, values, labels, colour, *, xlabel: str, xlim: float, row_height: float,
          bar_height: float, fontsize: float | None = None, integer: bool = False, xticks=None) -> str:
    """One horizontal bar chart, a bar per row (first row on top), as inline SVG (see `_svg`)."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context({**style, "svg.hashsalt": f"class-report-{name}"}):
        fig = Figure(figsize=(8, 0.8 + row_height * len(names)))
        ax = fig.add_subplot()
        bars = ax.barh(range(len(names)), values, color=colour, height=bar_height)
        ax.bar_label(bars, labels=labels, padding=3, fontsize=fontsize)
        ax.set_yticks(range(len(names)), names, fontsize=fontsize)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
        ax.set_xlim(0, xlim)
        if integer:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if xticks is not None:
            ax.set_xticks(xticks)
        fig.tight_layout()
        return _svg(fig, name)


def _charts(stats: ClassStats) -> dict[str, str]:
    """{chart name: inline SVG} for the histogram, the reteach counts and the check pass rates."""
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError as exc:       # a declared dependency: only a broken installation gets here
        raise ClassReportError(f"report.html needs matplotlib (pip install 'matplotlib>=3.7'): {exc}") from exc

    palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"]
    ex_colour = {eid: palette[k % len(palette)] for k, (eid, _) in enumerate(stats.exercise_statuses)}
    style = {"svg.fonttype": "none", "text.parse_math": False, "font.size": 10, "axes.spines.top": False,
             "axes.spines.right": False}
    charts = {}
    with matplotlib.rc_context({**style, "svg.hashsalt": "class-report-totals"}):
        fig = Figure(figsize=(8, 3.2))
        ax = fig.add_subplot()
        bins = stats.histogram
        bars = ax.bar(range(len(bins)), [b.students for b in bins], color="#4e79a7", width=0.85)
        ax.bar_label(bars, labels=[str(b.students) if b.students else "" for b in bins], padding=2)
        ax.set_xticks(range(len(bins)), [f"{b.from_percent}–{b.to_percent}" for b in bins])
        ax.set_xlabel(f"total, % of the {stats.max_score:g} points")
        ax.set_ylabel("students")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, max([b.students for b in bins] + [1]) * 1.15)
        fig.tight_layout()
        charts["totals"] = _svg(fig, "totals")
    if stats.reteach:
        rows = stats.reteach
        charts["reteach"] = _barh("reteach", style, [d.code for d in rows], [d.students for d in rows],
                                  [f"{d.students} ({d.percent:g} %)" for d in rows], "#e15759",
                                  xlabel="students whose work shows it", xlim=max(d.students for d in rows) * 1.25,
                                  row_height=0.32, bar_height=0.7, integer=True)
    if stats.checks:
        checks = stats.checks
        charts["checks"] = _barh("checks", style, [c.check for c in checks], [c.percent for c in checks],
                                 [f"{c.percent:g} %" for c in checks],
                                 [ex_colour.get(c.exercise, "#4e79a7") for c in checks],
                                 xlabel="graded students who passed, %", xlim=112, row_height=0.24, bar_height=0.72,
                                 fontsize=8, xticks=[0, 25, 50, 75, 100])
    return charts


# ---------------------------------------------------------------------------
# The page


def _link(student: str, stem: str) -> str:
    return f'<a href="./{quote(stem + ".txt")}">{esc(student)}</a>'


def _names(sighting: Sighting) -> str:
    links = ", ".join(_link(w.id, w.stem) for w in sighting.students)
    if len(sighting.students) <= FOLD_NAMES:
        return links
    return f"<details><summary>{len(sighting.students)} students</summary>{links}</details>"


def _code_row(d: CodeCount, hints: dict) -> str:
    where = ", ".join(f"{esc(eid)} {n}" for eid, n in d.by_exercise)
    return (f"<tr><td><code>{esc(d.code)}</code></td><td class=num>{d.students}</td>"
            f"<td class=num>{d.percent:g} %</td><td>{where}</td><td>{esc(hints.get(d.code, ''))}</td></tr>")


def _attention(stats: ClassStats) -> list[str]:
    out = [f'<h2 id="attention">Students who need attention ({len({a.student for a in stats.attention})})</h2>']
    if not stats.attention:
        out.append("<p>None: every student was graded, and no code timed out, crashed or ran out of memory.</p>")
        return out
    out.append("<table><thead><tr><th>Student</th><th>Problem</th><th>Exercises</th><th>Reason</th>"
               "<th>What to do</th></tr></thead><tbody>")
    for a in stats.attention:
        exercises = ", ".join(esc(e) for e in a.exercises) or "all"
        out.append(f"<tr><td>{_link(a.student, a.stem)}</td>"
                   f"<td class='kind kind-{esc(a.kind)}'>{esc(_KIND_WORDS.get(a.kind, a.kind))}</td>"
                   f"<td>{exercises}</td><td>{esc(a.reason)}</td><td>{esc(a.todo)}</td></tr>")
    out.append("</tbody></table>")
    return out


def _reteach(stats: ClassStats, charts: dict, hints: dict) -> list[str]:
    out = ['<h2 id="reteach">What to reteach</h2>',
           "<p>Each misconception is counted once per student, however many checks show it. Codes that say what "
           "happened to the code rather than what was misunderstood (not attempted, not found, timed out, crashed, "
           "out of memory, refused) are listed separately below.</p>"]
    if not stats.reteach:
        out.append("<p>No misconception was recognised in this class.</p>")
    else:
        out.append(f'<figure>{charts["reteach"]}</figure>')
        out.append("<table><thead><tr><th>Diagnosis</th><th class=num>Students</th><th class=num>% of graded</th>"
                   "<th>Per exercise</th><th>The idea behind it</th></tr></thead><tbody>")
        out += [_code_row(d, hints) for d in stats.reteach]
        out.append("</tbody></table>")
    for eid, _ in stats.exercise_statuses:
        rows = [s for s in stats.sightings if s.exercise == eid and s.reteach]
        if not rows:
            continue
        out.append(f"<h3>{esc(eid)}</h3><table><colgroup><col style='width:28%'><col style='width:10%'><col>"
                   f"</colgroup><thead><tr><th>Diagnosis</th><th class=num>Students</th><th>Who</th></tr></thead>"
                   f"<tbody>")
        out += [f"<tr><td><code>{esc(s.code)}</code></td><td class=num>{len(s.students)}</td><td>{_names(s)}</td></tr>"
                for s in rows]
        out.append("</tbody></table>")
    out.append('<h3 id="other">Not misconceptions</h3>')
    if not stats.other_codes:
        out.append("<p>None.</p>")
    else:
        out.append("<table><thead><tr><th>Code</th><th class=num>Students</th><th class=num>% of graded</th>"
                   "<th>Per exercise</th><th>Meaning</th></tr></thead><tbody>")
        out += [_code_row(d, hints) for d in stats.other_codes]
        out.append("</tbody></table>")
    return out


def _checks(stats: ClassStats, charts: dict) -> list[str]:
    out = ['<h2 id="checks">Pass rate of each check</h2>',
           f"<p>Graded students who passed each check, out of {stats.graded} (an exercise not handed in counts as "
           f"not passed).</p>"]
    if "checks" in charts:
        out.append(f'<figure>{charts["checks"]}</figure>')
    out.append("<table><thead><tr><th>Check</th><th>What it checks</th><th class=num>Passed</th>"
               "<th class=num>%</th></tr></thead><tbody>")
    out += [f"<tr><td><code>{esc(c.check)}</code></td><td>{esc(c.title)}</td>"
            f"<td class=num>{c.passed} / {c.students}</td><td class=num>{c.percent:g}</td></tr>" for c in stats.checks]
    out.append("</tbody></table>")
    return out


def render_html(stats: ClassStats) -> str:
    """The whole page as a string: the same statistics always give the same bytes."""
    from grader.judging.diagnosis import reteach_hints

    charts = _charts(stats)
    mean = "–" if stats.mean is None else f"{stats.mean:g}"
    median = "–" if stats.median is None else f"{stats.median:g}"
    n = len(stats.students)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>Class report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Class report</h1>",
             f"<p class=lead>{n} students: {stats.graded} graded, {stats.errors} could not be graded. "
             f"Mean {mean} and median {median} of {stats.max_score:g} points (graded students).</p>",
             '<nav><a href="#attention">Attention</a><a href="#totals">Totals</a><a href="#reteach">Reteach</a>'
             '<a href="#checks">Checks</a><a href="#students">Students</a></nav>']
    parts += _attention(stats)
    parts += ['<h2 id="totals">Totals</h2>', f'<figure>{charts["totals"]}</figure>']
    parts += _reteach(stats, charts, reteach_hints((d.code, [e for e, _ in d.by_exercise]) for d in stats.diagnoses))
    parts += _checks(stats, charts)
    parts.append(f'<h2 id="students">Every student ({n})</h2>')
    parts.append("<table><thead><tr><th>Student</th><th class=num>Total</th><th>Status</th></tr></thead><tbody>")
    for s in stats.students:
        total = f"{s.score:g} / {stats.max_score:g}" if s.graded else "–"
        parts.append(f"<tr><td>{_link(s.id, s.stem)}</td><td class=num>{total}</td><td>{esc(s.outcome)}</td></tr>")
    parts.append("</tbody></table>")
    parts.append("<p class=muted>Written by <code>grade batch</code> from the per-student reports in this folder; "
                 "each name links to the report that student sees.</p></body></html>")
    return "\n".join(parts) + "\n"


def write_report(out: str | os.PathLike, stats: ClassStats) -> Path:
    """Write OUT/report.html (to a temporary name, then renamed) and return its path."""
    from grader.outputs import atomic

    return atomic.write_text(Path(out) / REPORT_NAME, render_html(stats))


__all__ = ["write_report", "render_html", "ClassReportError", "REPORT_NAME"]
