"""Class statistics after `grade batch`: how the class did, what to reteach, who needs attention.

`class_stats(students, max_score=...)` reads one `(student id, stem, doc)`
per student, where doc is that student's `grade --json` report (a dict) or
None when the report file is missing or unreadable, and returns a
`ClassStats` made of frozen dataclasses. It is a pure function: nothing is
read, written, printed or drawn here (no rich, no matplotlib), so
summary.json, the terminal summary and report.html all show the same
numbers. Everything comes out in a fixed order, whatever order the students
came in.

One definition of each count, used everywhere:

- A student **could not be graded** when their report is missing or
  unreadable, or when every exercise has status "error" (the entry could not
  be read, or grading it failed). Their outcome is "error": they score 0 in
  the gradebook, are left out of every statistic below, and are listed for
  attention with the reason.
- Every other student is **graded**. Their outcome is the worst status of
  their exercises in the order of `grader.outputs.results.STATUSES`, except that an
  exercise whose file could not be imported (status "error" in a submission
  that was otherwise graded) counts as "crashed": the student's own code
  failed while loading. So the outcome "error" means exactly "could not be
  graded", and `errors == statuses["error"] == len(not_graded)`.
- Totals, the histogram, pass rates and diagnosis counts are over graded
  students; every percentage is a share of the graded students.
- A check's pass rate is the number of graded students who passed it over
  the number of graded students (an exercise not handed in is not passed).
  `failed` counts only students who handed the exercise in.
- A diagnosis code counts **once per student** (and once per student per
  exercise), however many checks show it: a stub fails every check with
  not_implemented and still counts once. Exercises not handed in (status
  "missing") are not looked at; `exercise_statuses` counts them.
- **Reteach** holds misconceptions only. The codes in `NOT_MISCONCEPTIONS`
  say what happened to the code, not what the student misunderstood:
  not_implemented (not attempted yet), missing (a file, class or attribute
  not found under the expected name), timeout, crashed and memory (the code
  did not run to the end) and forbidden (the sandbox refused something).
  They are counted the same way and listed separately.
- **Attention** lists the students staff must look at: could not be graded
  ("error"), timed out, crashed, or ran out of memory, one row per student
  and kind with the exercises concerned, the reason and one line on what to
  do. Rows are grouped in that order of kinds, then by student id.

Reasons are single lines (`grader.outputs.neutral.one_line`); student ids are kept
exactly as given, so each renderer escapes them for its own medium.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping

from grader.judging import diagnosis as dx
from grader.outputs.neutral import one_line
from grader.outputs.results import STATUSES

#: Diagnosis codes that are not misconceptions: never in the reteach table, listed separately.
NOT_MISCONCEPTIONS = frozenset({dx.NOT_IMPLEMENTED, dx.MISSING, dx.TIMEOUT, dx.CRASHED, dx.MEMORY, dx.FORBIDDEN})

#: The kinds of attention rows, in the order they are listed.
ATTENTION_KINDS = ("error", "timeout", "crashed", "memory")

#: Number of bins of the totals histogram (each 10 % of the maximum score wide).
BINS = 10


@dataclass(frozen=True)
class Student:
    """One student's place in the class: id, output stem, outcome (see the module docstring), total."""

    id: str
    stem: str
    outcome: str
    score: float

    @property
    def graded(self) -> bool:
        return self.outcome != "error"


@dataclass(frozen=True)
class Bin:
    """One bar of the totals histogram: graded students with from_percent ≤ total/max < to_percent."""

    from_percent: int
    to_percent: int
    students: int


@dataclass(frozen=True)
class CheckRate:
    """One check over the graded students: how many passed it, and how many failed it after handing it in."""

    check: str
    exercise: str
    title: str
    passed: int
    failed: int
    students: int

    @property
    def percent(self) -> float:
        """The pass rate in percent (0 when nobody was graded)."""
        return _pct(self.passed, self.students)

    @property
    def failed_percent(self) -> float:
        """The share of graded students who handed the check in and failed it, in percent."""
        return _pct(self.failed, self.students)


@dataclass(frozen=True)
class CodeCount:
    """One diagnosis code over the class: distinct students showing it, overall and per exercise."""

    code: str
    students: int
    percent: float
    by_exercise: tuple[tuple[str, int], ...]
    #: Failed checks showing the code, over all graded students (what older summaries counted).
    checks: int

    @property
    def reteach(self) -> bool:
        return self.code not in NOT_MISCONCEPTIONS


@dataclass(frozen=True)
class Who:
    """A student as the reports name them: the id, and the stem of their files (<stem>.txt, <stem>.json)."""

    id: str
    stem: str


@dataclass(frozen=True)
class Sighting:
    """One diagnosis code in one exercise, and the students whose work shows it (id order)."""

    exercise: str
    code: str
    students: tuple[Who, ...]

    @property
    def reteach(self) -> bool:
        return self.code not in NOT_MISCONCEPTIONS


@dataclass(frozen=True)
class Attention:
    """A student staff must look at: the kind of trouble, where, why, and what to do about it."""

    student: str
    stem: str
    kind: str
    exercises: tuple[str, ...]
    reason: str
    todo: str


@dataclass(frozen=True)
class ClassStats:
    """Everything the class files show; see the module docstring for the definitions."""

    students: tuple[Student, ...]
    max_score: float
    histogram: tuple[Bin, ...]
    checks: tuple[CheckRate, ...]
    #: (exercise, ((status, graded students), ...)) in course order, statuses in STATUSES order.
    exercise_statuses: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]
    #: Every code seen, most students first, then by code.
    diagnoses: tuple[CodeCount, ...]
    #: Every (exercise, code) seen: exercises in course order, then most students first, then by code.
    sightings: tuple[Sighting, ...]
    attention: tuple[Attention, ...]

    @property
    def graded(self) -> int:
        return sum(1 for s in self.students if s.graded)

    @property
    def errors(self) -> int:
        """Students who could not be graded."""
        return len(self.students) - self.graded

    @property
    def totals(self) -> tuple[float, ...]:
        return tuple(s.score for s in self.students if s.graded)

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.totals), 4) if self.totals else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.totals) if self.totals else None

    @property
    def statuses(self) -> dict[str, int]:
        """Students per outcome, sorted by outcome name."""
        return dict(sorted(Counter(s.outcome for s in self.students).items()))

    @property
    def reteach(self) -> tuple[CodeCount, ...]:
        return tuple(d for d in self.diagnoses if d.reteach)

    @property
    def other_codes(self) -> tuple[CodeCount, ...]:
        """The codes that are not misconceptions (NOT_MISCONCEPTIONS), in the same order."""
        return tuple(d for d in self.diagnoses if not d.reteach)

    @property
    def not_graded(self) -> tuple[Attention, ...]:
        return tuple(a for a in self.attention if a.kind == "error")


def _pct(x: int, total: int) -> float:
    return round(100.0 * x / total, 1) if total else 0.0


def _exercises(doc) -> list[dict] | None:
    """The doc's exercises if it has the shape of a report (statuses known, checks with verdicts), else None."""
    if not isinstance(doc, Mapping):
        return None
    exercises = doc.get("exercises")
    if not isinstance(exercises, list) or not exercises or not isinstance(doc.get("score"), (int, float)):
        return None
    for ex in exercises:
        if not (isinstance(ex, Mapping) and isinstance(ex.get("id"), str) and ex.get("status") in STATUSES
                and isinstance(ex.get("checks"), list)):
            return None
        for c in ex["checks"]:
            if not (isinstance(c, Mapping) and isinstance(c.get("id"), str) and isinstance(c.get("diagnosis"), list)):
                return None
    return exercises


def _outcome(exercises: list[dict]) -> str:
    statuses = [ex["status"] for ex in exercises]
    if all(s == "error" for s in statuses):
        return "error"
    return max(("crashed" if s == "error" else s for s in statuses), key=STATUSES.index)


def _todo(kind: str, stem: str) -> str:
    """One line on what staff can do about an attention row."""
    if kind == "error":
        return f"fix what the reason names (see {stem}.txt) or have the student submit again, then run the same " \
               f"command again: an entry whose files changed is graded again"
    if kind == "timeout":
        return f"look at {stem}.txt (a loop that never ends, a sleep, input()?); if the code is only slow, " \
               f"run again with a larger --timeout (every student is then graded again under it)"
    if kind == "memory":
        return f"look at {stem}.txt: the code outgrew the memory limit (an array far bigger than its inputs?)"
    return f"read {stem}.txt, which shows what stopped the code; if the grader was at fault, " \
           f"delete {stem}.json and run the same command again"


def class_stats(students: Iterable[tuple[str, str, Mapping | None]], *, max_score: float | None = None
                ) -> ClassStats:
    """The statistics of a class from one (student id, stem, report doc or None) per student.

    max_score: the course's maximum total (the histogram's scale); by default
    the largest max_score among the reports.
    """
    rows = sorted(students, key=lambda row: (row[0], row[1]))
    people: list[Student] = []
    attention: list[Attention] = []
    ex_order: dict[str, None] = {}
    check_info: dict[str, tuple[str, str]] = {}
    passed, failed = Counter(), Counter()
    ex_status: dict[str, Counter] = defaultdict(Counter)
    code_students: dict[str, set] = defaultdict(set)
    code_checks = Counter()
    seen: dict[tuple[str, str], set] = defaultdict(set)
    maxima = []
    for sid, stem, doc in rows:
        exercises = _exercises(doc)
        if exercises is None:
            people.append(Student(sid, stem, "error", 0.0))
            attention.append(Attention(sid, stem, "error", (), f"its report {stem}.json is missing or unreadable",
                                       "run the same command again: a student without a readable .json is "
                                       "graded again"))
            continue
        if isinstance(doc.get("max_score"), (int, float)):
            maxima.append(float(doc["max_score"]))
        outcome = _outcome(exercises)
        people.append(Student(sid, stem, outcome, float(doc["score"])))
        if outcome == "error":
            reason = next((ex.get("message") for ex in exercises if ex.get("message")), "") or "no reason given"
            attention.append(Attention(sid, stem, "error", (), one_line(reason), _todo("error", stem)))
            continue
        trouble: dict[str, list[dict]] = defaultdict(list)
        for ex in exercises:
            eid, status = ex["id"], ex["status"]
            ex_order.setdefault(eid)
            ex_status[eid][status] += 1
            kind = "crashed" if status == "error" else status
            if kind in ATTENTION_KINDS:
                trouble[kind].append(ex)
            for c in ex["checks"]:
                check_info.setdefault(c["id"], (eid, str(c.get("title", ""))))
                if c.get("passed") is True:
                    passed[c["id"]] += 1
                elif status != "missing":
                    failed[c["id"]] += 1
                    for code in dict.fromkeys(c["diagnosis"]):
                        code = str(code)
                        code_checks[code] += 1
                        code_students[code].add(sid)
                        seen[(eid, code)].add(Who(sid, stem))
        for kind in ATTENTION_KINDS:
            if trouble[kind]:
                first = trouble[kind][0]
                reason = one_line(first.get("message") or kind)
                attention.append(Attention(sid, stem, kind, tuple(ex["id"] for ex in trouble[kind]), reason,
                                           _todo(kind, stem)))
    top = float(max_score) if max_score is not None else max(maxima, default=0.0)
    graded = [p for p in people if p.graded]
    n = len(graded)
    bars = [0] * BINS
    for p in graded:
        bars[min(BINS - 1, max(0, int(BINS * p.score / top))) if top > 0 else 0] += 1
    histogram = tuple(Bin(100 * k // BINS, 100 * (k + 1) // BINS, h) for k, h in enumerate(bars))
    checks = tuple(CheckRate(cid, eid, title, passed[cid], failed[cid], n) for cid, (eid, title) in check_info.items())
    rank = {eid: k for k, eid in enumerate(ex_order)}
    by_ex: dict[str, Counter] = defaultdict(Counter)
    for (eid, code), who in seen.items():
        by_ex[code][eid] = len(who)
    diagnoses = tuple(sorted(
        (CodeCount(code, len(ids), _pct(len(ids), n),
                   tuple(sorted(by_ex[code].items(), key=lambda kv: rank[kv[0]])), code_checks[code])
         for code, ids in code_students.items()),
        key=lambda d: (-d.students, d.code)))
    sightings = tuple(sorted(
        (Sighting(eid, code, tuple(sorted(who, key=lambda w: (w.id, w.stem)))) for (eid, code), who in seen.items()),
        key=lambda s: (rank[s.exercise], -len(s.students), s.code)))
    statuses = tuple((eid, tuple((s, ex_status[eid][s]) for s in STATUSES if ex_status[eid][s])) for eid in ex_order)
    kind_rank = {k: i for i, k in enumerate(ATTENTION_KINDS)}
    attention.sort(key=lambda a: (kind_rank[a.kind], a.student, a.stem))
    return ClassStats(tuple(people), top, histogram, checks, statuses, diagnoses, sightings, tuple(attention))


__all__ = ["class_stats", "ClassStats", "Student", "Bin", "CheckRate", "CodeCount", "Who", "Sighting", "Attention",
           "NOT_MISCONCEPTIONS", "ATTENTION_KINDS"]
