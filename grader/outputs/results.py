"""Grading results: plain frozen dataclasses, and their JSON form (schema 1).

Nothing here renders or prints; `grader.outputs.report` draws these for people and
`Report.to_dict` gives the machine report written by `--json`. The JSON holds
no timings or absolute paths of the grading machine, so grading the same
submission twice gives byte-identical output. Every free-text field of the
JSON passes through `grader.outputs.neutral.visible`: `json.dumps(ensure_ascii=False)`
escapes C0 controls but would write C1 controls and bidi overrides as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from grader.outputs.neutral import visible
from grader.judging.values import Frame

SCHEMA_VERSION = 1

#: Exercise statuses, from best to worst.
STATUSES = ("graded", "missing", "error", "crashed", "memory", "timeout")


@dataclass(frozen=True)
class Worst:
    """The worst entry of a failed value check."""

    case: str
    index: tuple[int, ...]
    expected: float
    given: float


@dataclass(frozen=True)
class CaseCount:
    """How many cases of one visibility ("public", "hidden", "numeric") a check passed."""

    visibility: str
    passed: int
    total: int


@dataclass(frozen=True)
class CheckResult:
    """The verdict of one check."""

    id: str
    title: str
    passed: bool
    score: float
    max_score: float
    diagnosis: tuple[str, ...] = ()
    message: str = ""
    hint: str = ""
    max_rel_error: float | None = None
    worst: Worst | None = None
    expected_layout: str = ""
    given_layout: str = ""
    frames: tuple[Frame, ...] = ()
    cases: tuple[CaseCount, ...] = ()
    #: A failed check's root cause in the student's terms (a crash with its exception and line, a timeout, a
    #: missing name), the same text for every check that failed from it; "" for a wrong value or a pass.
    #: Grouped per exercise by `group_by_cause`.
    cause: str = ""

    def to_dict(self) -> dict:
        out = {
            "id": visible(self.id),
            "title": visible(self.title),
            "passed": self.passed,
            "score": self.score,
            "max_score": self.max_score,
            "diagnosis": list(self.diagnosis),
            "message": visible(self.message),
            "hint": visible(self.hint),
            "max_rel_error": _finite_or_none(self.max_rel_error),
            "cases": [{"visibility": c.visibility, "passed": c.passed, "total": c.total} for c in self.cases],
        }
        if self.worst is not None:
            out["worst"] = {"case": visible(self.worst.case), "index": list(self.worst.index),
                            "expected": _finite_or_none(self.worst.expected),
                            "given": _finite_or_none(self.worst.given)}
        if self.expected_layout:
            out["expected_layout"] = visible(self.expected_layout)
        if self.given_layout:
            out["given_layout"] = visible(self.given_layout)
        if self.frames:
            out["frames"] = [{"file": visible(f.file), "line": f.line, "function": visible(f.func),
                              "code": visible(f.code)} for f in self.frames]
        return out


@dataclass(frozen=True)
class ExerciseResult:
    """The verdict on one exercise file."""

    id: str
    title: str
    status: str
    score: float
    max_score: float
    checks: tuple[CheckResult, ...]
    file: str = ""
    message: str = ""
    output: str = ""
    case_counts: tuple[CaseCount, ...] = ()
    seconds: float = 0.0

    @property
    def passed_checks(self) -> int:
        return sum(1 for c in self.checks if c.passed)

    @property
    def max_rel_error(self) -> float | None:
        values = [c.max_rel_error for c in self.checks
                  if c.max_rel_error is not None and math.isfinite(c.max_rel_error)]
        return max(values) if values else None

    @property
    def shown_rel_error(self) -> float | None:
        """The worst relative error a summary shows: over the failing checks when any failed, else over all.

        None when there is no number to show (a crash, a timeout, an infinite loss): passing checks' tiny
        errors, or the 0 of a failing check's passing cases, never stand in for a failing exercise's.
        """
        failing = [c for c in self.checks if not c.passed]
        values = [c.max_rel_error for c in (failing or self.checks)
                  if c.max_rel_error is not None and math.isfinite(c.max_rel_error)]
        worst = max(values) if values else None
        return None if failing and not worst else worst

    def to_dict(self) -> dict:
        return {
            "id": visible(self.id),
            "title": visible(self.title),
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "file": visible(self.file),
            "message": visible(self.message),
            "cases": {c.visibility: c.total for c in self.case_counts},
            "checks": [c.to_dict() for c in self.checks],
            "causes": [{"summary": visible(c.summary), "checks": [visible(i) for i in c.ids]}
                       for c in group_by_cause(self)],
        }


@dataclass(frozen=True)
class Cause:
    """One root cause that two or more failing checks of an exercise share, and the checks it cost."""

    summary: str
    checks: tuple[CheckResult, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.checks)


def group_by_cause(exercise: ExerciseResult) -> list[Cause]:
    """The failing checks of `exercise` grouped by root cause: groups of two or more, in check order.

    Checks share a cause when their `CheckResult.cause` is the same text:
    the same exception with the same message at the same line of the
    student's file, the same call that did not finish in time, the same
    missing class, method or attribute, the same file that would not load.
    Wrong values have no cause (each check's diagnosis is its own), and
    checks still raising NotImplementedError are left out: reports list
    them as "not attempted". Pure: the terminal, JSON (`causes`) and HTML
    reports all group with this.
    """
    groups: dict[str, list[CheckResult]] = {}
    for c in exercise.checks:
        if not c.passed and c.cause and "not_implemented" not in c.diagnosis:
            groups.setdefault(c.cause, []).append(c)
    return [Cause(summary, tuple(checks)) for summary, checks in groups.items() if len(checks) > 1]


@dataclass(frozen=True)
class Report:
    """The verdict on a whole submission."""

    submission: str
    mode: str
    exercises: tuple[ExerciseResult, ...]
    isolation: tuple[str, ...] = ()
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())
    isolation_skipped: tuple[tuple[str, str], ...] = ()
    #: The uid student code ran as, read by the parent from /proc (None where it cannot be read).
    worker_uid: int | None = None
    #: The id of the assignment graded (`grader.authoring.course.Assignment`); "" when not known.
    assignment: str = ""
    #: The assignment's title for the report's title line; "" when the course has a single assignment.
    assignment_title: str = ""

    @property
    def score(self) -> float:
        return round(sum(e.score for e in self.exercises), 6)

    @property
    def max_score(self) -> float:
        return round(sum(e.max_score for e in self.exercises), 6)

    @property
    def all_passed(self) -> bool:
        return all(e.status == "graded" and all(c.passed for c in e.checks) for e in self.exercises)

    def to_dict(self) -> dict:
        """The machine report, schema version 1 (see grader.outputs.schema)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "submission": visible(self.submission),
            **({"assignment": visible(self.assignment)} if self.assignment else {}),
            "mode": self.mode,
            "isolation": [visible(layer) for layer in self.isolation],
            "isolation_skipped": {visible(layer): visible(why) for layer, why in self.isolation_skipped},
            "worker_uid": self.worker_uid,
            "score": self.score,
            "max_score": self.max_score,
            "notes": [visible(note) for note in self.notes],
            "exercises": [e.to_dict() for e in self.exercises],
        }


def _finite_or_none(x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return x
