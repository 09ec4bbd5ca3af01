"""The report as one HTML fragment for a Jupyter output area. Rendering only; no verdicts here.

`render_html(report, notes=...)` returns one `<div class="bpg-report">`
holding its own `<style>`, made to sit in the output area of JupyterLab,
classic Notebook or VS Code:

- Content mirrors the terminal report (`grader.outputs.report`), read from the
  same dataclass fields: the summary table first (exercise, status,
  checks passed, points, worst relative error), then each exercise's
  status note (a timeout, the last lines printed), then one collapsible
  `<details>` per failing check. Its `<summary>` line reads
  "✗ check id — points — verdict", and its body holds what the terminal
  panel holds: message, expected and given layout, worst entry, the
  student's own frames, diagnosis codes and hint. Checks are grouped as
  the terminal groups them: stubs still raising NotImplementedError share
  one section, checks whose failures share one root cause
  (`grader.outputs.results.group_by_cause`) share one section that lists them,
  and an exercise in status `error` with no shared cause shows its first
  failing check only. Both reports take their sections and their words
  from `grader.outputs.report_words`; tests/test_report_html.py checks that both
  show the same checks.
- Notes (the definitions a notebook check collected, dropped cells, the
  report's own notes) go in one collapsed `<details>`, identical lines
  once, in first-seen order.
- It fits any width: no fixed column count, tables at most 100% wide,
  `overflow-wrap: anywhere` so a long id or message breaks anywhere
  instead of widening the page, and `<pre>` blocks wrap
  (`white-space: pre-wrap`).
- Self-contained: inline CSS only, no script, no link, image or font.
  Every rule is scoped under `.bpg-report` and every class starts with
  `bpg-`, so nothing leaks into the notebook's own styling. Text and
  borders take `currentColor` or JupyterLab's theme variables (with
  fallbacks), and no background is painted opaque, so the light and
  dark themes both read.
- Every piece of text from a submission goes through `grader.outputs.neutral.html`
  (`visible`, then `html.escape`): a control or bidi character shows as
  an escape such as `\\x1b`, and `<`, `&`, quotes, underscores and
  brackets show literally. No text is ever read as markup.

Standard library only (no rich), so it can be imported anywhere.
"""

from __future__ import annotations

from grader.outputs.neutral import html as esc
from grader.outputs.neutral import visible
from grader.outputs.report_words import failure_sections, footer_words, number, points, rel_error, title_line
from grader.outputs.results import CheckResult, ExerciseResult, Report

#: The class of the fragment's root element; every other class starts with "bpg-".
ROOT_CLASS = "bpg-report"

#: The longest one-line verdict shown in a section's summary line (the whole message is in its body).
VERDICT_CHARS = 160

_CSS = """
.bpg-report{max-width:100%;box-sizing:border-box;color:inherit;font-size:inherit;line-height:1.45;
 overflow-wrap:anywhere;word-break:normal;margin:0.25em 0}
.bpg-report *{box-sizing:border-box}
.bpg-report .bpg-head{font-weight:bold;margin:0 0 0.3em 0}
.bpg-report .bpg-sub{font-weight:normal;opacity:0.75}
.bpg-report table.bpg-summary{table-layout:auto;width:auto;max-width:100%;border-collapse:collapse;margin:0 0 0.6em 0}
.bpg-report .bpg-summary th,.bpg-report .bpg-summary td{border:1px solid rgba(127,127,127,0.35);padding:0.15em 0.6em;
 text-align:left;vertical-align:top;overflow-wrap:anywhere}
.bpg-report .bpg-summary th,.bpg-report .bpg-summary td.bpg-nw{white-space:nowrap}
.bpg-report .bpg-summary .bpg-num{text-align:right;white-space:nowrap}
.bpg-report .bpg-summary tr.bpg-total td{font-weight:bold}
.bpg-report .bpg-ok{color:var(--jp-success-color1,#2e8b3e)}
.bpg-report .bpg-warn{color:var(--jp-warn-color1,#b7791f)}
.bpg-report .bpg-bad{color:var(--jp-error-color1,#d32f2f)}
.bpg-report .bpg-dim{opacity:0.7}
.bpg-report details{border:1px solid rgba(127,127,127,0.35);border-left-width:3px;border-radius:3px;
 margin:0.35em 0;padding:0.1em 0.6em}
.bpg-report details.bpg-fail{border-left-color:var(--jp-error-color1,#d32f2f)}
.bpg-report details.bpg-stub{border-left-color:var(--jp-warn-color1,#b7791f)}
.bpg-report details.bpg-notes{border-left-color:rgba(127,127,127,0.6)}
.bpg-report summary{cursor:pointer;padding:0.15em 0}
.bpg-report .bpg-body{padding:0.2em 0 0.4em 0}
.bpg-report .bpg-body > div{margin:0.1em 0}
.bpg-report .bpg-text{white-space:pre-wrap}
.bpg-report .bpg-label{font-weight:bold}
.bpg-report pre.bpg-code{white-space:pre-wrap;overflow-wrap:anywhere;margin:0.2em 0 0.2em 1.5em;padding:0.2em 0.5em;
 border-left:2px solid rgba(127,127,127,0.45);background:rgba(127,127,127,0.08);font-size:0.95em}
.bpg-report ul{margin:0.2em 0;padding-left:1.5em}
.bpg-report code{font-size:0.95em}
.bpg-report .bpg-foot{margin:0.5em 0 0 0}
"""


def _span(cls: str, text: object) -> str:
    return f'<span class="{cls}">{esc(text)}</span>'


def _one_line_verdict(text: str) -> str:
    """The first sentence of a message, on one line, cut to VERDICT_CHARS characters.

    visible() comes first, so a control character that str.split() counts as space (\\r, \\x85) is shown.
    """
    line = " ".join(visible(text).split())
    cut = line.find(". ")
    if 0 < cut < VERDICT_CHARS:
        return line[:cut + 1]
    return line if len(line) <= VERDICT_CHARS else line[:VERDICT_CHARS - 1] + "…"


# ---------------------------------------------------------------------------
# Pieces


def summary_table(report: Report) -> str:
    rows = []
    for ex in report.exercises:
        ok = ex.status == "graded" and ex.passed_checks == len(ex.checks)
        cls = "bpg-ok" if ok else "bpg-warn" if ex.status in ("graded", "missing") else "bpg-bad"
        rows.append(f'<tr><td>{esc(ex.id)}</td><td class="bpg-nw">{_span(cls, ex.status)}</td>'
                    f'<td class="bpg-num">{ex.passed_checks}/{len(ex.checks)}</td>'
                    f'<td class="bpg-num">{points(ex.score)}/{points(ex.max_score)}</td>'
                    f'<td class="bpg-num">{rel_error(ex.shown_rel_error)}</td></tr>')
    rows.append(f'<tr class="bpg-total"><td>total</td><td></td><td></td>'
                f'<td class="bpg-num">{points(report.score)}/{points(report.max_score)}</td><td></td></tr>')
    head = ('<thead><tr><th>Exercise</th><th>Status</th><th class="bpg-num">Checks</th><th class="bpg-num">Points</th>'
            '<th class="bpg-num">Worst rel. error</th></tr></thead>')
    return f'<table class="bpg-summary">{head}<tbody>{"".join(rows)}</tbody></table>'


def check_body(check: CheckResult) -> str:
    """What a failing check found, as the terminal panel shows it (grader.outputs.report._check_body), after what the
    check checks (the panel's subtitle)."""
    parts = [f'<div class="bpg-dim">{esc(check.title)}</div>'] if check.title else []
    parts.append(f'<div class="bpg-text">{esc(check.message)}</div>')
    if check.expected_layout:
        parts.append(f'<div><span class="bpg-label">Expected: </span>'
                     f'<span class="bpg-text">{esc(check.expected_layout)}</span></div>')
    if check.given_layout:
        parts.append(f'<div><span class="bpg-label">Given: </span>'
                     f'<span class="bpg-text">{esc(check.given_layout)}</span></div>')
    if check.worst is not None:
        w = check.worst
        # A scalar has no entries to index: name the case only.
        at = f"[{', '.join(str(i) for i in w.index)}] in case {w.case}" if w.index else f"in case {w.case}"
        parts.append(f'<div><span class="bpg-label">{"Worst entry" if w.index else "Value"}: </span>'
                     + esc(f"{at}: expected {number(w.expected)}, given {number(w.given)} "
                           f"(relative error {rel_error(check.max_rel_error)})") + "</div>")
    parts += _frames(check.frames)
    parts += _diagnosis_and_hint(check.diagnosis, check.hint)
    return "".join(parts)


def _frames(frames) -> list[str]:
    """The student's own traceback lines: where, then the line of code."""
    parts = []
    for f in frames:
        where = f"{f.file}, line {f.line}" + (f", in {f.func}" if f.func else "")
        parts.append(f'<div class="bpg-dim bpg-text">{esc(where)}</div>')
        if f.code:
            parts.append(f'<pre class="bpg-code">{esc(f.code)}</pre>')
    return parts


def _diagnosis_and_hint(diagnosis: tuple[str, ...], hint: str) -> list[str]:
    parts = []
    if diagnosis:
        codes = ", ".join(f"<code>{esc(d)}</code>" for d in diagnosis)
        parts.append(f'<div><span class="bpg-label">Diagnosis: </span>{codes}</div>')
    if hint:
        parts.append(f'<div><span class="bpg-label">Hint: </span><span class="bpg-text">{esc(hint)}</span></div>')
    return parts


def _check_item(c: CheckResult) -> str:
    return (f'<li>{_span("bpg-id", c.id)} <span class="bpg-dim">{esc(c.title)}</span> '
            f'({_span("bpg-pts", f"{points(c.score)}/{points(c.max_score)}")})</li>')


def _details(cls: str, summary: str, body: str) -> str:
    return f'<details class="{cls}"><summary>{summary}</summary><div class="bpg-body">{body}</div></details>'


def section(ex: ExerciseResult, kind: str, checks: list[CheckResult], cause: str = "") -> str:
    """One collapsible section: a failing check, the stubs of an exercise, or checks that failed from one cause.

    cause: the shared cause in the student's terms (`grader.outputs.results.Cause.summary`), for kind "cause".
    """
    if kind == "check":
        c = checks[0]
        summary = (f'<span class="bpg-bad">✗ {_span("bpg-id", c.id)}</span> — '
                   f'{_span("bpg-pts", f"{points(c.score)}/{points(c.max_score)}")} — '
                   f'{esc(_one_line_verdict(c.message or c.title))}')
        return _details("bpg-fail", summary, check_body(c))
    scored = f"{points(sum(c.score for c in checks))}/{points(sum(c.max_score for c in checks))}"
    items = f'<ul>{"".join(_check_item(c) for c in checks)}</ul>'
    if kind == "stubs":
        summary = (f'<span class="bpg-warn">… {esc(ex.id)}: not attempted yet</span> — {esc(scored)} — '
                   f'{len(checks)} check{"s" if len(checks) != 1 else ""} found code that still raises '
                   f'NotImplementedError')
        return _details("bpg-stub", summary, "<div>These checks found code that still raises NotImplementedError:"
                        f"</div>{items}")
    # As grader.outputs.report.same_failure_panel: the shared message (or the cause when the messages differ), the first
    # frames, diagnosis and hint found, then every check the problem cost.
    first = checks[0]
    headline = first.message if all(c.message == first.message for c in checks) or not cause else cause
    headline = headline[:1].upper() + headline[1:] + ("" if headline.endswith(".") else ".")
    every = len(checks) == len(ex.checks)
    title = (f"✗ {ex.id}: every check failed the same way" if every else
             f"✗ {ex.id}: one problem, {len(checks)} checks")
    summary = (f'<span class="bpg-bad">{esc(title)}</span> — {esc(scored)} — {esc(_one_line_verdict(headline))}')
    body = [f'<div class="bpg-text">{esc(headline)}</div>']
    body += _frames(next((c.frames for c in checks if c.frames), ()))
    body += _diagnosis_and_hint(first.diagnosis, next((c.hint for c in checks if c.hint), ""))
    lead = f"This is why all {len(checks)} checks below failed:" if every else \
        f"This one problem cost {len(checks)} checks:"
    body.append(f'<div class="bpg-label">{esc(lead)}</div>{items}')
    return _details("bpg-fail", summary, "".join(body))


def exercise_note(ex: ExerciseResult) -> str:
    """An exercise's status message and, when it did not run to the end, the last lines it printed."""
    if ex.status == "graded" and not ex.message:
        return ""
    cls = "bpg-warn" if ex.status in ("graded", "missing") else "bpg-bad"
    out = f'<div class="bpg-text"><span class="bpg-label {cls}">{esc(ex.id)}: </span>{esc(ex.message or ex.status)}'
    if ex.output and ex.status not in ("graded", "missing"):
        # Split on newlines only: str.splitlines would also cut at (and so hide) \r, \x0b, \x1c-\x1e, \x85...
        tail = "\n".join(line[:200] for line in ex.output.strip(" \n").split("\n")[-5:])
        out += f'<div class="bpg-dim">Your code printed (last lines):</div><pre class="bpg-code">{esc(tail)}</pre>'
    return out + "</div>"


def notes_section(lines: list[str] | tuple[str, ...]) -> str:
    """Every note in one collapsed section, each distinct line once, in first-seen order."""
    unique = list(dict.fromkeys(line for line in lines if line.strip()))
    if not unique:
        return ""
    first = _one_line_verdict(unique[0])
    more = f" (and {len(unique) - 1} more)" if len(unique) > 1 else ""
    summary = f'<span class="bpg-dim">Notes: {esc(first)}{esc(more)}</span>'
    items = "".join(f'<li class="bpg-text">{esc(line)}</li>' for line in unique)
    return _details("bpg-notes", summary, f"<ul>{items}</ul>")


def footer(report: Report) -> str:
    """Which cases ran, and the isolation the code ran under (`report_words.footer_words`)."""
    words = footer_words(report)
    text = esc(words.cases) + (f"<b>{esc(words.emphasis)}</b>" if words.emphasis else "")
    if words.isolation:
        text += f'<div class="bpg-dim">{esc(words.isolation)}</div>'
    return f'<div class="bpg-foot">{text}</div>'


# ---------------------------------------------------------------------------
# The fragment


def render_html(report: Report, *, notes: list[str] | tuple[str, ...] = ()) -> str:
    """The whole report as one self-contained HTML fragment (see the module docstring).

    notes: lines shown before the report's own notes in the collapsed notes
    section (a notebook check passes what it collected and left out).
    """
    parts = [f'<div class="{ROOT_CLASS}"><style>{_CSS}</style>',
             f'<div class="bpg-head">{esc(title_line(report))} <span class="bpg-sub">— {esc(report.submission)}'
             f'</span></div>',
             summary_table(report)]
    parts += [note for note in (exercise_note(ex) for ex in report.exercises) if note]
    for ex in report.exercises:
        parts += [section(ex, kind, checks, cause) for kind, checks, cause in failure_sections(ex)]
    parts.append(notes_section(list(notes) + list(report.notes)))
    parts.append(footer(report))
    parts.append("</div>")
    return "".join(parts)


def problem_html(heading: str, message: str) -> str:
    """A one-line problem (no kernel, unknown exercise, nothing defined yet) as a fragment of its own."""
    return (f'<div class="{ROOT_CLASS}"><style>{_CSS}</style><div class="bpg-text"><span class="bpg-label bpg-bad">'
            f'{esc(heading)}</span> {esc(message)}</div></div>')


__all__ = ["ROOT_CLASS", "render_html", "problem_html"]
