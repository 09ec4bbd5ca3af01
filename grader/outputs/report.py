"""The human report: results drawn with rich. Rendering only; no verdicts here.

Layout: a summary table (exercise, status, checks passed, points, worst
relative error), then one panel per failing check (what was expected and
what was given, in shape and convention, the worst entry, the diagnosis and
a hint, and the student's own traceback lines for a crash), then a footer
saying which cases ran. Checks still raising NotImplementedError share one
panel, and checks whose failures share one root cause
(`grader.outputs.results.group_by_cause`: the same exception at the same line of
the student's file, the same call that did not finish, the same missing
name, a file that did not load) share one panel that lists the checks it
cost. Every piece of
text drawn goes through `grader.outputs.neutral.visible`, so a control or bidi
character from student code shows as an escape such as `\x1b` instead of
acting on the terminal, and all text is drawn as `Text` (or plain cells of
`Text`), so square brackets from student code are never read as rich markup.
rich honours NO_COLOR and the terminal's width.
"""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from grader.outputs.neutral import one_line, visible
from grader.outputs.report_words import failure_sections, footer_words, number, points, rel_error, title_line
from grader.outputs.results import CheckResult, ExerciseResult, Report

_STATUS_STYLE = {"graded": "green", "missing": "yellow", "error": "red", "crashed": "red", "memory": "red",
                 "timeout": "red"}


def _text(text: object, style: str = "") -> Text:
    """A Text of visible(text): literal, never markup, no control characters."""
    return Text(visible(text), style=style)


def summary_table(report: Report) -> Table:
    table = Table(title=_text(title_line(report)), title_justify="left", expand=False)
    table.add_column("Exercise", no_wrap=True)
    table.add_column("Status")
    table.add_column("Checks", justify="right")
    table.add_column("Points", justify="right")
    table.add_column("Worst rel. error", justify="right")
    for ex in report.exercises:
        ok = ex.status == "graded" and ex.passed_checks == len(ex.checks)
        style = "green" if ok else _STATUS_STYLE.get(ex.status, "red") if ex.status != "graded" else "yellow"
        table.add_row(_text(ex.id), _text(ex.status, style), f"{ex.passed_checks}/{len(ex.checks)}",
                      f"{points(ex.score)}/{points(ex.max_score)}", rel_error(ex.shown_rel_error))
    table.add_row(Text("total", style="bold"), "", "", Text(f"{points(report.score)}/{points(report.max_score)}",
                                                           style="bold"), "")
    return table


def check_panel(ex: ExerciseResult, check: CheckResult) -> Panel:
    title = _text(f"✗ {check.id}", "bold red")
    title.append(f"  {points(check.score)}/{points(check.max_score)}", style="red")
    return Panel(_check_body(check), title=title, title_align="left", subtitle=_text(check.title),
                 subtitle_align="right", border_style="red")


def _check_body(check: CheckResult) -> Text:
    """What a failing check found: message, layouts, worst entry, the student's frames, diagnosis, hint."""
    body = Text()
    body.append(visible(check.message))
    if check.expected_layout:
        body.append("\nExpected: ", style="bold")
        body.append(visible(check.expected_layout))
    if check.given_layout:
        body.append("\nGiven:    ", style="bold")
        body.append(visible(check.given_layout))
    if check.worst is not None:
        w = check.worst
        # A scalar has no entries to index: name the case only.
        body.append("\nWorst entry: " if w.index else "\nValue: ", style="bold")
        at = f"[{', '.join(str(i) for i in w.index)}] in case {w.case}" if w.index else f"in case {w.case}"
        body.append(visible(f"{at}: expected {number(w.expected)}, given {number(w.given)} "
                            f"(relative error {rel_error(check.max_rel_error)})"))
    _append_frames_diagnosis_hint(body, check.frames, check.diagnosis, check.hint)
    return body


def _append_frames_diagnosis_hint(body: Text, frames, diagnosis: tuple[str, ...], hint: str) -> None:
    """The student's own traceback lines, then the diagnosis codes and the hint, as a panel shows them."""
    for f in frames:
        body.append(visible(f"\n  {f.file}, line {f.line}" + (f", in {f.func}" if f.func else "")), style="dim")
        if f.code:
            body.append("\n    " + visible(f.code))
    if diagnosis:
        body.append("\nDiagnosis: ", style="bold")
        body.append(visible(", ".join(diagnosis)), style="magenta")
    if hint:
        body.append("\nHint: ", style="bold")
        body.append(visible(hint))


def not_attempted_panel(ex: ExerciseResult, checks: list[CheckResult]) -> Panel:
    """One panel for all checks whose code still raises NotImplementedError."""
    body = Text("These checks found code that still raises NotImplementedError:")
    for c in checks:
        body.append(visible(f"\n  • {c.id}"), style="bold")
        body.append(visible(f"  {c.title}  (0/{points(c.max_score)})"))
    title = _text(f"… {ex.id}: not attempted yet", "bold yellow")
    title.append(f"  0/{points(sum(c.max_score for c in checks))}", style="yellow")
    return Panel(body, title=title, title_align="left", border_style="yellow")


def same_failure_panel(ex: ExerciseResult, checks: list[CheckResult], summary: str = "") -> Panel:
    """One panel for checks that failed from one root cause, listing every check it cost.

    summary: the cause in the student's terms (`grader.outputs.results.Cause.summary`); without it, or when every
    check says the same, the first check's message. Frames, diagnosis and hint are those of the first
    check that has them.
    """
    first = checks[0]
    same_words = all(c.message == first.message for c in checks)
    body = Text()
    headline = first.message if same_words or not summary else summary
    if headline.split(" ", 1)[0].isalpha():        # "your code raised ..." → "Your ...", but never "Fc.py ..."
        headline = headline[:1].upper() + headline[1:]
    body.append(visible(headline + ("" if headline.endswith(".") else ".")))
    _append_frames_diagnosis_hint(body, next((c.frames for c in checks if c.frames), ()), first.diagnosis,
                                  next((c.hint for c in checks if c.hint), ""))
    every = len(checks) == len(ex.checks)
    body.append(f"\nThis is why all {len(checks)} checks below failed:" if every else
                f"\nThis one problem cost {len(checks)} checks:", style="bold")
    for c in checks:
        body.append(visible(f"\n  • {c.id}"), style="bold")
        body.append(visible(f"  {c.title}  ({points(c.score)}/{points(c.max_score)})"))
    title = _text(f"✗ {ex.id}: every check failed the same way" if every else
                  f"✗ {ex.id}: one problem, {len(checks)} checks", "bold red")
    title.append(f"  {points(sum(c.score for c in checks))}/{points(sum(c.max_score for c in checks))}",
                 style="red")
    return Panel(body, title=title, title_align="left", border_style="red")


def exercise_notes(ex: ExerciseResult) -> Text | None:
    if ex.status == "graded" and not ex.message:
        return None
    text = Text()
    text.append(visible(f"{ex.id}: "), style="bold")
    text.append(visible(ex.message or ex.status))
    if ex.output and ex.status not in ("graded", "missing"):
        # Split on newlines only: str.splitlines would also cut at (and so hide) \r, \x0b, \x1c-\x1e, \x85...
        tail = ex.output.strip(" \n").split("\n")[-5:]
        text.append("\n  Your code printed (last lines):", style="dim")
        for line in tail:
            text.append("\n    " + visible(line[:200]))
    return text


def footer(report: Report) -> Text:
    words = footer_words(report)
    text = Text(words.cases)
    if words.emphasis:
        text.append(words.emphasis, style="bold")
    if words.isolation:
        text.append("\n" + visible(words.isolation), style="dim")
    return text


def render(report: Report, console: Console) -> None:
    """Print the whole report on `console`."""
    console.print(summary_table(report))
    for note in report.notes:
        console.print(_text(note, "dim"))
    for ex in report.exercises:
        notes = exercise_notes(ex)
        if notes is not None:
            console.print(notes)
    for ex in report.exercises:
        for kind, checks, cause in failure_sections(ex):
            if kind == "stubs":
                console.print(not_attempted_panel(ex, checks))
            elif kind == "cause":
                console.print(same_failure_panel(ex, checks, cause))
            else:
                console.print(check_panel(ex, checks[0]))
    console.print(footer(report))


def render_build(result, console: Console) -> None:
    verb = "differ" if result.checked_only else "written"
    if result.changed:
        console.print(Text(f"{len(result.changed)} file(s) {verb}:", style="bold"))
        for path in result.changed:
            console.print(_text(f"  {path}"))
    console.print(Text(f"{len(result.unchanged)} file(s) already up to date."))


def render_exercises(exercises, console: Console, assignments=()) -> None:
    """The exercises, their points and, when the course has several assignments, the assignment of each."""
    table = Table(title="Exercises", title_justify="left")
    table.add_column("Id", no_wrap=True)
    several = len(assignments) > 1
    if several:
        table.add_column("Assignment", no_wrap=True)
    table.add_column("File")
    table.add_column("Checks", justify="right")
    table.add_column("Points", justify="right")
    table.add_column("What")
    owner = {i: a.id for a in assignments for i in a.exercises}
    for ex in exercises:
        cells = [_text(ex.id)] + ([_text(owner.get(ex.id, ""))] if several else [])
        table.add_row(*cells, _text(ex.file), str(len(ex.checks)), points(ex.max_score), _text(ex.summary))
    console.print(table)


__all__ = ["render", "render_build", "render_exercises", "summary_table", "check_panel"]


def render_batch(result, console: Console) -> None:
    """The class summary after `grade batch`: totals, histogram, failing checks, what to reteach, isolation,
    and last the students who need attention with what to do about each.

    Counts are those of summary.json (`grader.outputs.class_stats`): diagnosis codes count once per student, the
    reteach table lists every misconception seen, and the codes that are not misconceptions
    (not_implemented, missing, timeout, crashed, memory, forbidden) get one line of their own.
    """
    from grader.judging.diagnosis import reteach_hints

    s = result.summary
    rate = result.graded / result.seconds if result.seconds > 0 and result.graded else 0.0
    head = Text(f"Graded {s['graded']} of {s['students']} students", style="bold")
    head.append(f"  ({result.graded} now, {result.resumed} from an earlier run, {s['errors']} could not be graded; "
                f"{result.seconds:.1f} s, {rate:.1f} students/s)")
    console.print(head)
    if result.changed:
        console.print(Text(f"{result.changed} of the {result.graded} graded now had been graded before, from other "
                           f"files or under other options; their earlier reports were replaced."))
    if s["graded"]:
        console.print(Text(f"Mean {s['mean']:g} / {s['max_score']:g}, median {s['median']:g}"))
        top = max(b["students"] for b in s["histogram"]) or 1
        hist = Table(title="Totals", title_justify="left", box=None, show_header=False, pad_edge=False)
        hist.add_column(justify="right", no_wrap=True)
        hist.add_column(no_wrap=True)
        hist.add_column(justify="right")
        for b in s["histogram"]:
            bar = "█" * max(0, round(30 * b["students"] / top))
            hist.add_row(f"{b['from_percent']:>3}–{b['to_percent']}%", Text(bar, style="cyan"), str(b["students"]))
        console.print(hist)
    if s["most_failed_checks"]:
        t = Table(title="Checks failed most often", title_justify="left")
        t.add_column("Check", no_wrap=True)
        t.add_column("Students", justify="right")
        t.add_column("%", justify="right")
        for row in s["most_failed_checks"][:8]:
            t.add_row(_text(row["check"]), str(row["students"]), f"{row['percent']:g}")
        console.print(t)
    _render_reteach(s, console, reteach_hints((r["code"], r["exercises"]) for r in s.get("reteach", [])))
    iso = s["isolation"]
    line = _text(f"Isolation: level {iso['level']} ({', '.join(iso['layers'])}).", "dim")
    if iso.get("worker_uid") is not None:
        line.append(f" Student code ran as uid {iso['worker_uid']} (one uid per slot).", style="dim")
    for layer, why in iso["skipped"].items():
        line.append(visible(f" Skipped {layer}: {why}."), style="dim")
    console.print(line)
    console.print(_text(f"Results in {result.out}: report.html, gradebook.csv, summary.json, and "
                        f"<student>.json/.txt."))
    _render_lms(s.get("lms"), console)
    _render_attention(s.get("attention", []), console)


def _render_lms(lms: dict | None, console: Console) -> None:
    """Where the LMS import files are, and who is not in them (by name)."""
    if not lms:
        return
    console.print(_text(f"LMS import files: {lms['canvas']} (Canvas) and {lms['moodle']} (Moodle), column "
                        f"{lms['column']!r} out of {lms['points']:g}."))
    groups = [("roster students with no submission (left blank, so the LMS keeps their grade)",
               [f"{r['student']} ({r['lms_id']})" for r in lms.get("no_submission", [])]),
              ("submissions not in the roster (not exported)", lms.get("not_in_roster", [])),
              ("ids that cannot be an LMS id as they are (not exported; use --roster)", lms.get("unusable_ids", [])),
              ("students who could not be graded (not exported; see below)", lms.get("left_out_errors", []))]
    for what, names in groups:
        if names:
            shown = ", ".join(one_line(n) for n in names[:20])
            more = f" and {len(names) - 20} more (summary.json)" if len(names) > 20 else ""
            console.print(Text(f"  {what[0].upper()}{what[1:]} ({len(names)}): {shown}{more}", style="yellow"))


def _render_reteach(s: dict, console: Console, hints: dict) -> None:
    """Every misconception seen, counted per student; then one line for the codes that are not misconceptions."""
    rows = s.get("reteach", [])
    if rows:
        t = Table(title="What to reteach (misconceptions; students whose work shows each)", title_justify="left")
        t.add_column("Diagnosis", no_wrap=True)
        t.add_column("Students", justify="right")
        t.add_column("%", justify="right")
        t.add_column("Where")
        t.add_column("The idea behind it")
        for row in rows:
            where = ", ".join(f"{ex} {n}" for ex, n in row["exercises"].items())
            t.add_row(_text(row["code"]), str(row["students"]), f"{row['percent']:g}", _text(where),
                      _text(hints.get(row["code"], "")))
        console.print(t)
    elif s["graded"]:
        console.print(Text("No misconception was recognised in the graded work."))
    other = [row for row in s.get("most_common_diagnoses", []) if not row.get("reteach", True)]
    if other:
        words = ", ".join(f"{row['code']} {row['students']}" for row in other)
        console.print(_text(f"Not misconceptions (students): {words}.", "dim"))


#: How the terminal names each kind of attention row (see grader.outputs.class_stats.ATTENTION_KINDS).
_ATTENTION_TITLES = {"error": "Could not be graded (each scores 0)", "timeout": "Timed out",
                     "crashed": "Crashed", "memory": "Ran out of memory"}

#: At most this many attention rows are printed; summary.json and report.html have them all.
_ATTENTION_SHOWN = 50


def _render_attention(rows: list[dict], console: Console) -> None:
    """The students who need attention, grouped by kind: id, exercises and reason on one line, then what to do."""
    if not rows:
        return
    students = len({row["student"] for row in rows})
    console.print(Text(f"Needs attention: {students} student{'s' if students != 1 else ''}", style="bold red"))
    kind = None
    for row in rows[:_ATTENTION_SHOWN]:
        if row["kind"] != kind:
            kind = row["kind"]
            console.print(_text(f" {_ATTENTION_TITLES.get(kind, kind)}:", "bold"))
        line = Text("  ")
        line.append(one_line(row["student"]), style="bold")
        if row["exercises"]:
            line.append(one_line(f" ({', '.join(row['exercises'])})"))
        line.append(": " + one_line(row["reason"])[:200])
        console.print(line, no_wrap=True, overflow="ellipsis")
        console.print(Padding(Text("→ " + one_line(row["todo"]), style="dim"), (0, 0, 0, 4)))
    if len(rows) > _ATTENTION_SHOWN:
        console.print(Text(f"  … and {len(rows) - _ATTENTION_SHOWN} more: see report.html or summary.json"))
