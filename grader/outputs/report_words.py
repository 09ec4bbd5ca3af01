"""What both student reports say, decided once: the terminal's (`grader.outputs.report`, rich) and Jupyter's
(`grader.outputs.report_html`, HTML) draw the same sections with the same words.

- number formats: points (`points`), values (`number`), relative errors
  (`rel_error`, "–" when there is none);
- `failure_sections(ex)`: which sections an exercise's failing checks are
  shown in, in order;
- `title_line(report)`: the title, naming the assignment when the course has several;
- `footer_words(report)`: the footer's sentences (which cases ran, the
  sentence to emphasise, the isolation line).
No rich and no HTML here: plain strings from the frozen results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from grader.outputs.results import CheckResult, ExerciseResult, Report, group_by_cause


def rel_error(x: float | None) -> str:
    """A relative error as "1.2e-03", or "–" when there is none."""
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:.1e}"


def number(x: float) -> str:
    return f"{x:.6g}"


def points(x: float) -> str:
    return f"{x:g}"


def count(n: int, noun: str) -> str:
    """ "1 check", "2 checks", "1 more case", "3 more cases"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def title_line(report: Report) -> str:
    """The report's title: "Backprop grader", and the assignment when the course has several."""
    if report.assignment_title:
        return f"Backprop grader: {report.assignment_title} ({report.assignment})"
    return "Backprop grader"


def failure_sections(ex: ExerciseResult) -> list[tuple[str, list[CheckResult], str]]:
    """The sections an exercise's failing checks are shown in, in order: (kind, checks, cause summary).

    kind is "stubs" (checks still raising NotImplementedError: one
    section), "cause" (checks that failed from one root cause, as
    `group_by_cause` groups them: one section, at the place of its first
    check) or "check" (one failing check). A missing exercise has none; one
    in status "error" with no shared cause shows only its first failing
    check.
    """
    if ex.status == "missing":
        return []
    failing = [c for c in ex.checks if not c.passed]
    stubs = [c for c in failing if c.diagnosis == ("not_implemented",)]
    causes = group_by_cause(ex)
    if ex.status == "error" and failing and not causes:
        return [("check", failing[:1], "")]
    sections: list[tuple[str, list[CheckResult], str]] = [("stubs", stubs, "")] if stubs else []
    cause_of = {c.id: cause for cause in causes for c in cause.checks}
    for check in failing:
        cause = cause_of.get(check.id)
        if cause is not None:
            if check is cause.checks[0]:
                sections.append(("cause", list(cause.checks), cause.summary))
        elif check not in stubs:
            sections.append(("check", [check], ""))
    return sections


@dataclass(frozen=True)
class Footer:
    """The footer: `cases` (which cases ran), `emphasis` (shown in bold; may be empty), `isolation` (may be
    empty). Isolation text names layers and reasons the grader wrote; pass it through `neutral.visible`."""

    cases: str
    emphasis: str
    isolation: str


def footer_words(report: Report) -> Footer:
    totals: dict[str, int] = {}
    for ex in report.exercises:
        for c in ex.case_counts:
            totals[c.visibility] = totals.get(c.visibility, 0) + c.total
    # Only exercises whose code ran count: a file that was missing or did not load ran no case.
    checks = sum(len(ex.checks) for ex in report.exercises if ex.case_counts)
    public, hidden, numeric = (totals.get(v, 0) for v in ("public", "hidden", "numeric"))
    emphasis = ""
    if report.mode == "student":
        if checks:
            cases = f"{count(checks, 'check')} ran on {count(public, 'public case')}"
            if numeric:
                cases += (f", and your backward pass was compared with finite differences of your own forward on "
                          f"{count(numeric, 'more case')}")
            cases += ". "
        else:
            cases = "No case could run on your code yet. "
        emphasis = "Hidden cases with new inputs and shapes run at official grading."
    elif checks:
        cases = (f"Instructor mode: {count(checks, 'check')} ran on {count(public, 'public case')} and "
                 f"{count(hidden, 'hidden case')} against the reference solution.")
    else:
        cases = "Instructor mode: no case could run on this code."
    isolation = ""
    if report.isolation:
        isolation = f"Isolation: {', '.join(report.isolation)}."
        if report.worker_uid is not None:
            isolation += f" Your code ran as uid {report.worker_uid}."
        for layer, why in report.isolation_skipped:
            isolation += f" Skipped {layer}: {why}."
    return Footer(cases, emphasis, isolation)
