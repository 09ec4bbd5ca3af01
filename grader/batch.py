"""`grade batch`: grade a whole class, safely, resumably and deterministically.

SUBMISSIONS holds one entry per student; the entry's name (without
extension) is the student id. One assignment of the course is graded
(`assignment`, default the course's first): its exercises, its total, its
LMS column. An entry is a folder of exercise files (or a
folder whose only subfolder holds them; notebooks named `<id>.ipynb` stand
in for absent `.py` files), a single `.py` or `.ipynb` (graded for every
exercise whose classes it defines; notebooks are converted by
`grader.submissions.conversion`), or a `.zip` of a folder or of one notebook.

For each student the batch writes OUT/<student>.txt (the report a student
sees, without colour) and then OUT/<student>.json (the `grade --json`
report); both are written to a temporary name and renamed, after the
student's worker processes are dead. A student whose .json exists is
skipped when the batch is run again (unless regrade), so a batch killed at
any moment can simply be rerun. Class files are rebuilt at the end from the
per-student JSON files, in student-id order:
- OUT/gradebook.csv: one row per student (total, then one column per
  exercise and per check, then the status), after a points-possible row;
- OUT/summary.json: totals, histogram, check pass rates, the diagnosis
  codes counted per student (what to reteach), the students who need
  attention, and the isolation reached (`grader.outputs.class_stats` defines the
  counts);
- OUT/report.html: the same as one self-contained page (`grader.outputs.class_report`).
Per-student JSON is identical whatever the number of jobs or the order.

Students are graded by `jobs` slot processes (trusted graders, one at a
time each), so the parent-side checking uses every core. Each slot has its
own worker fork server (`grader.isolation.zygote`) and computes the exercises' plans
once. Slot processes send back only small dicts of numbers and strings they
built themselves; nothing a student's worker produced is ever unpickled.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import signal
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from grader.outputs import atomic, lms, provenance
from grader.errors import GraderError, UsageError
from grader.submissions.roster import Entry, discover  # noqa: F401 - discover and Entry are part of this API
from grader.isolation.sandbox import worker_uid


class BatchError(GraderError):
    """The batch cannot run (bad arguments, or the required isolation is not available)."""


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: students in the class, graded in this run, kept from an earlier run (resumed),
    graded again because their files or the options changed since (changed; counted in graded), errors."""

    out: Path
    students: int
    graded: int
    resumed: int
    errors: int
    seconds: float
    summary: dict = field(default_factory=dict)
    changed: int = 0


# ---------------------------------------------------------------------------
# Slot processes


_SLOT: dict = {}


def _slot_init(course_root: str, options_doc: dict, out: str, slots) -> None:
    """Runs once in each slot process: course, plans, fork server, uid; the slot dies with the batch."""
    from multiprocessing.util import Finalize

    from grader.isolation import sandbox
    from grader.judging.convention import set_course_root
    from grader.authoring.course import Course
    from grader.judging.engine import Options, is_instructor, plan_all
    from grader.isolation.session import Limits
    from grader.isolation.zygote import Zygote

    _private_temp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)         # Ctrl-C is the batch's to handle: it stops the slots
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _slot_stop)
    sandbox.die_with_parent(sig=signal.SIGTERM)
    slot = slots.get()
    course = Course(Path(course_root))
    set_course_root(course.root)                         # the course's own conventions/ (grader.judging.convention)
    ids = course.exercise_ids(options_doc["assignment"])
    isolation = _isolation(options_doc["isolation"], worker_uid(slot + 1))
    options = Options(limits=Limits(timeout=options_doc["timeout"]), mode=options_doc["mode"],
                      salt=options_doc["salt"], isolation=isolation, allow_root=options_doc["allow_root"])
    instructor = is_instructor(course, ids, options.mode)
    Finalize(None, shutil.rmtree, args=(_SLOT["tmp"],), kwargs={"ignore_errors": True}, exitpriority=5)
    zygote = Zygote()
    Finalize(zygote, zygote.close, exitpriority=10)              # first: the fork server, then the folder
    _SLOT.update(course=course, ids=ids, options=options, out=Path(out), execute_all=options_doc["execute_all"],
                 plans=plan_all(course, ids, instructor=instructor, salt=options.salt), zygote=zygote,
                 instructor=instructor, assignment=options_doc["assignment"])


def _private_temp() -> None:
    """Put every temporary folder of this slot (entries, worker scratch) in one folder of its own.

    Mode 0711: the workers' uids may pass through to their own scratch
    folders but not list it. `_slot_stop` removes it in one go.
    """
    _SLOT["tmp"] = tempfile.mkdtemp(prefix="grade-slot-")
    os.chmod(_SLOT["tmp"], 0o711)
    tempfile.tempdir = _SLOT["tmp"]


def _slot_stop(signum, frame) -> None:
    """SIGTERM or SIGHUP (sent by the batch, or by the kernel when the batch process died, even by SIGKILL):
    end the fork server (its workers die with it), remove the slot's temporary folder, exit at once."""
    zygote = _SLOT.get("zygote")
    if zygote is not None:
        with contextlib.suppress(OSError):
            zygote.proc.kill()
    if _SLOT.get("tmp"):
        shutil.rmtree(_SLOT["tmp"], ignore_errors=True)
    os._exit(128 + signum)


def error_report(course, student: str, message: str, *, instructor: bool, assignment: str | None = None):
    """The report of a student who could not be graded at all: every check of the assignment's exercises
    (default: the course's default assignment) 0, status "error", the reason."""
    from grader.judging import diagnosis as dx
    from grader.judging.engine import assignment_names
    from grader.outputs.results import CheckResult, ExerciseResult, Report

    chosen = course.assignment(assignment).id
    exercises = []
    for ex in course.exercises(chosen):
        checks = tuple(CheckResult(c.id, c.title, False, 0.0, float(c.points), (dx.MISSING,), message)
                       for c in ex.checks)
        exercises.append(ExerciseResult(ex.id, ex.title, "error", 0.0, ex.max_score, checks, "", message))
    graded_for, title = assignment_names(course, [e.id for e in exercises], chosen)
    return Report(student, "instructor" if instructor else "student", tuple(exercises), assignment=graded_for,
                  assignment_title=title)


def _render_text(report) -> str:
    from rich.console import Console

    from grader.outputs.report import render

    buf = io.StringIO()
    render(report, Console(file=buf, width=100, color_system=None, force_terminal=False, highlight=False,
                           legacy_windows=False))
    return buf.getvalue()


def _prepare(entry: Entry, work: Path):
    """The entry's files ready for the engine (`grader.submissions.intake`: zips unpacked, notebooks converted).

    A file entry is named for the student, so it counts for every exercise
    it defines. Raises GraderError for an entry that cannot be read.
    """
    from grader.submissions.intake import open_submission

    if entry.kind == "invalid":
        raise UsageError(entry.problem)
    return open_submission(entry.path, _SLOT["course"], workdir=work, execute_all=_SLOT["execute_all"],
                           complete=True, by_name=False, label=entry.student, assignment=_SLOT["assignment"])


def grade_student(entry: Entry, graded_with: dict) -> dict:
    """Grade one entry in this slot and write its files; returns a small summary dict.

    graded_with: the entry's content and options digests (`grader.outputs.provenance`), recorded in its JSON.

    Whatever goes wrong while handling this student (an unreadable entry, or
    any exception of the grader's own) becomes this student's `error` report
    with a one-line reason; it never stops the batch.
    """
    from grader.judging.engine import grade_files

    started = time.monotonic()
    course = _SLOT["course"]
    tmp = Path(tempfile.mkdtemp(prefix="grade-entry-"))
    try:
        prepared = _prepare(entry, tmp)
        report = grade_files(course, prepared.files, label=entry.student, options=_SLOT["options"],
                             plans=_SLOT["plans"], zygote=_SLOT["zygote"], workers=1, locate=prepared.locate,
                             refused=prepared.refused, assignment=_SLOT["assignment"])
        report = prepared.finish(report)
    except GraderError as exc:
        report = error_report(course, entry.student, f"the submission could not be read: {exc.message}",
                              instructor=_SLOT["instructor"], assignment=_SLOT["assignment"])
    except Exception as exc:  # noqa: BLE001 - one student's trouble never stops the batch
        report = error_report(course, entry.student, f"the grader failed on this submission "
                              f"({type(exc).__name__}: {str(exc)[:300]}); the rest of the class was graded",
                              instructor=_SLOT["instructor"], assignment=_SLOT["assignment"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    write_student(_SLOT["out"], entry, report, graded_with)
    return {"student": entry.student, "score": report.score, "max_score": report.max_score,
            "seconds": time.monotonic() - started, "isolation": list(report.isolation),
            "skipped": dict(report.isolation_skipped)}


def write_student(out: Path, entry: Entry, report, graded_with: dict) -> None:
    """Write a student's .txt (the report they see) and then .json (its presence marks the student done).

    The JSON is the report's, plus `graded_with` (what it was made from; see `grader.outputs.provenance`).
    """
    atomic.write_text(out / f"{entry.stem}.txt", _render_text(report))
    atomic.write_json(out / f"{entry.stem}.json", {**report.to_dict(), "graded_with": graded_with}, compact=True)


# ---------------------------------------------------------------------------
# The batch


def _state(out: Path, entry: Entry, graded_with: dict) -> str:
    """"done" (graded from these files under these options), "changed" (graded, but from other files or
    options) or "new" (no complete result)."""
    path = out / f"{entry.stem}.json"
    if not path.is_file() or not (out / f"{entry.stem}.txt").is_file():
        return "new"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "new"
    if not (isinstance(doc, dict) and doc.get("schema_version") == 1 and doc.get("submission") == entry.student):
        return "new"
    return "done" if doc.get("graded_with") == graded_with else "changed"


def _done(out: Path, entry: Entry, graded_with: dict) -> bool:
    return _state(out, entry, graded_with) == "done"


def _isolation(isolation_doc: dict | None, uid: int | None):
    """The Isolation of a slot: the requested OS layers (all off for None) and, as root, the slot's uid."""
    from grader.isolation.session import Isolation

    layers = isolation_doc or {"namespaces": False, "landlock": False, "seccomp": False}
    return Isolation(**layers, uid=uid)


def probe_isolation(course_root: Path, isolation_doc: dict | None, *, allow_root: bool = False
                    ) -> tuple[tuple[str, ...], dict, int | None]:
    """Start one worker on an empty module: (layers in force, {layer: why skipped}, the uid it ran as).

    Refuses (PrivilegeError) when running as root and the worker kept root's
    privileges, unless allow_root.
    """
    from grader.judging.engine import check_privileges
    from grader.isolation.session import WorkerSession

    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.py"
        probe.write_text("PROBE = 1\n")
        with WorkerSession(str(probe), "probe", isolation=_isolation(isolation_doc, worker_uid(1))) as s:
            load = s.handshake()
    if not load.started:
        raise BatchError("the grading worker could not start; is the project installed in this Python?")
    check_privileges(load, allow_root=allow_root)
    uid = load.credentials.uid if load.credentials is not None else None
    return load.layers, dict(load.skipped), uid


#: Thread-count variables of the BLAS and OpenMP builds numpy may use.
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def _single_threaded_blas():
    """While the slot processes start, ask their BLAS for one thread each (unless the caller chose).

    Each slot is one grader among `jobs`: BLAS helper threads would only
    compete with the other slots and the workers for the same cores. The
    variables must be set before a slot imports numpy, so they are set in
    this process's environment, which the slots inherit, and restored after.
    """
    saved = {name: os.environ.get(name) for name in _BLAS_THREADS}
    for name, value in saved.items():
        if value is None:
            os.environ[name] = "1"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)


#: The OS layers a batch can switch on one by one (rlimits and the process boundary are always on).
OS_LAYERS = ("namespaces", "landlock", "seccomp")


def requested_layers(isolation) -> dict | None:
    """True: every OS layer; False: none (process and rlimits only); or an iterable of OS_LAYERS names."""
    if isolation is True:
        return {name: True for name in OS_LAYERS}
    if isolation is False or isolation is None:
        return None
    if isinstance(isolation, str):
        isolation = [isolation]
    names = set(isolation)
    unknown = sorted(names - set(OS_LAYERS))
    if unknown:
        raise UsageError(f"unknown isolation layer(s) {', '.join(unknown)}; choose from {', '.join(OS_LAYERS)}")
    return {name: name in names for name in OS_LAYERS} if names else None


def run(submissions: str | os.PathLike, *, out: str | os.PathLike, jobs: int | None = None,
        timeout: float = 10.0, regrade: bool = False, min_isolation: str = "process", mode: str = "auto",
        salt: str = "", isolation=True, course=None, execute_all: bool = False, allow_root: bool = False,
        roster: str | os.PathLike | None = None, points: float | None = None, assignment: str | None = None,
        column: str | None = None, progress=None) -> BatchResult:
    """Grade every entry of SUBMISSIONS into OUT (see the module docstring).

    assignment: the id of the assignment graded (default: the course's default assignment).
    allow_root: grade even if, running as root, the workers cannot drop root's privileges.
    roster, points, column: for the LMS import files (`grader.outputs.lms.write_exports`; column defaults to
    the assignment's title); a bad roster is refused before anyone is graded.
    """
    from grader.isolation import sandbox
    from grader.authoring.course import find_course

    started = time.monotonic()
    if min_isolation not in sandbox.LEVELS:
        raise UsageError(f"--min-isolation must be one of {', '.join(sandbox.LEVELS)}")
    if not (timeout > 0):
        raise UsageError("--timeout must be a positive number of seconds")
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    c = find_course(course)
    chosen = c.assignment(assignment)            # a UsageError naming the known ids
    column = chosen.title if column is None else column
    lms.check_options(points=points, column=column)
    if roster is not None:
        lms.read_roster(roster)                  # a RosterError names the file and line, before grading
    entries = discover(Path(submissions))
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.tmp"):
        stale.unlink()
    iso_doc = requested_layers(isolation)
    layers, skipped, uid = probe_isolation(c.root, iso_doc, allow_root=allow_root)
    if not sandbox.meets(layers, min_isolation):
        missing = [lvl for lvl in sandbox.LEVELS[1:sandbox.LEVELS.index(min_isolation) + 1]
                   if not sandbox.meets(layers, lvl)]
        reasons = "; ".join(f"{m}: {skipped.get(m, 'not requested')}" for m in missing)
        raise BatchError(f"isolation level {min_isolation!r} is not available here ({reasons}); "
                         f"reached {sandbox.level_reached(layers)!r}")
    options_doc = {"assignment": chosen.id, "timeout": float(timeout), "mode": mode, "salt": salt,
                   "isolation": iso_doc,
                   "execute_all": bool(execute_all), "allow_root": bool(allow_root)}
    options_key = provenance.options_digest(options_doc, c)
    keys = {e.student: {"content": provenance.content_digest(e.path), "options": options_key} for e in entries}
    states = {e.student: _state(out_dir, e, keys[e.student]) for e in entries}
    todo = [(e, keys[e.student]) for e in entries if regrade or states[e.student] != "done"]
    resumed = len(entries) - len(todo)
    changed = sum(1 for e, _ in todo if states[e.student] == "changed")
    if progress is not None:
        progress({"event": "start", "total": len(todo), "resumed": resumed, "changed": changed})
    for info in _grade_all(todo, c, options_doc, out_dir, jobs):
        if progress is not None:
            progress({"event": "done", **info})
    summary = write_class_files(c, out_dir, entries, layers, skipped,
                                {**options_doc, "min_isolation": min_isolation}, worker_uid=uid,
                                lms_options={"roster": roster, "points": points, "column": column})
    return BatchResult(out_dir, len(entries), len(todo), resumed, summary["errors"],
                       time.monotonic() - started, summary, changed=0 if regrade else changed)


def _lms_summary(out: Path, stats, *, max_score: float, roster, points, column: str) -> dict:
    """Write the Canvas and Moodle import files; returns what summary.json records of them.

    Only graded students are exported: one who could not be graded at all
    (`class_stats`' not_graded: an unreadable entry) is left out, so the LMS
    keeps its grade until staff look; they are listed in `left_out_errors`
    and among the students needing attention.
    """
    exports = lms.write_exports(out, {s.id: s.score for s in stats.students if s.graded}, max_score=max_score,
                                points=points, column=column,
                                roster=Path(roster) if roster is not None else None)
    return {"canvas": exports.canvas.name, "moodle": exports.moodle.name, "column": column,
            "points": points if points is not None else max_score,
            "no_submission": [{"student": e.student, "lms_id": e.lms_id, "name": e.name}
                              for e in exports.no_submission],
            "not_in_roster": list(exports.not_in_roster), "unusable_ids": list(exports.unusable_ids),
            "left_out_errors": sorted(a.student for a in stats.not_graded)}


@contextlib.contextmanager
def _stopped_on_interrupt(pool: ProcessPoolExecutor):
    """If the batch stops early (Ctrl-C, SIGTERM or SIGHUP made KeyboardInterrupt, or the caller stops
    iterating), send SIGTERM to every slot and drop the queued students; each slot then ends its fork
    server and removes its temporary folder (`_slot_stop`). Without this, leaving the pool would wait
    for the whole class to be graded."""
    try:
        yield
    except BaseException:
        for proc in list(getattr(pool, "_processes", {}).values()):
            with contextlib.suppress(OSError, ValueError):
                proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise


def _grade_all(todo: list[tuple[Entry, dict]], course, options_doc: dict, out: Path, jobs: int):
    """Grade the entries in `jobs` slot processes, yielding each student's summary as it is written.

    A slot process that dies (it never should: it runs no student code) ends
    its pool. The students then in flight are suspects: each is graded
    again alone, and one whose slot dies again gets an `error` report; the
    rest of the class goes on in a fresh pool. So one student can cost only
    their own grade.
    """
    import multiprocessing
    from concurrent.futures.process import BrokenProcessPool

    ctx = multiprocessing.get_context("spawn")

    def pool(n: int) -> ProcessPoolExecutor:
        slots = ctx.Queue()
        for k in range(n):
            slots.put(k)
        return ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_slot_init,
                                   initargs=(str(course.root), options_doc, str(out), slots))

    left = list(todo)
    with _single_threaded_blas():
        while left:
            try:
                with pool(min(jobs, len(left))) as p, _stopped_on_interrupt(p):
                    for future in as_completed([p.submit(grade_student, e, k) for e, k in left]):
                        yield future.result()
                return
            except BrokenProcessPool:
                left = [(e, k) for e, k in left if not _done(out, e, k)]
            for suspect, key in left[:jobs + 1]:
                try:
                    with pool(1) as p, _stopped_on_interrupt(p):
                        yield p.submit(grade_student, suspect, key).result()
                except BrokenProcessPool:
                    from grader.judging.engine import is_instructor

                    assignment = options_doc["assignment"]
                    instructor = is_instructor(course, course.exercise_ids(assignment), options_doc["mode"])
                    write_student(out, suspect, error_report(
                        course, suspect.student, "the grading process stopped while grading this submission",
                        instructor=instructor, assignment=assignment), key)
                    yield {"student": suspect.student, "score": 0.0, "seconds": 0.0}
            left = [(e, k) for e, k in left if not _done(out, e, k)]


def _read_doc(path: Path) -> dict | None:
    """A per-student JSON report, or None when it is missing or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _summary_stats(stats) -> dict:
    """The class statistics of summary.json (`grader.outputs.class_stats` defines every count), all in fixed order."""
    def codes(rows):
        return [{"code": d.code, "students": d.students, "percent": d.percent, "exercises": dict(d.by_exercise),
                 "count": d.checks} for d in rows]

    return {
        "most_failed_checks": [{"check": c.check, "students": c.failed, "percent": c.failed_percent}
                               for c in sorted(stats.checks, key=lambda c: (-c.failed, c.check)) if c.failed],
        "check_pass_rates": [{"check": c.check, "exercise": c.exercise, "passed": c.passed, "students": c.students,
                              "percent": c.percent} for c in stats.checks],
        "exercise_statuses": {eid: dict(counts) for eid, counts in stats.exercise_statuses},
        "most_common_diagnoses": [{**row, "reteach": d.reteach} for row, d in zip(codes(stats.diagnoses),
                                                                                 stats.diagnoses)],
        "reteach": codes(stats.reteach),
        "diagnoses_by_exercise": {eid: [{"code": s.code, "reteach": s.reteach, "students": len(s.students),
                                         "ids": [w.id for w in s.students]}
                                        for s in stats.sightings if s.exercise == eid]
                                  for eid, _ in stats.exercise_statuses},
        "attention": [{"student": a.student, "kind": a.kind, "exercises": list(a.exercises), "reason": a.reason,
                       "todo": a.todo} for a in stats.attention],
        "not_graded": [{"student": a.student, "reason": a.reason} for a in stats.not_graded],
    }


def write_class_files(course, out: Path, entries: list[Entry], layers, skipped, options: dict, *,
                      worker_uid: int | None = None, lms_options: dict | None = None) -> dict:
    """Rebuild gradebook.csv, summary.json, report.html and, given lms_options (roster, points,
    column), the LMS import files, from the per-student JSON files (student-id order).

    The columns and totals are those of the assignment graded, options["assignment"] (default: the
    course's default assignment).

    The statistics come from `grader.outputs.class_stats`, which defines every count
    once: a student whose report is unreadable or whose every exercise is
    "error" could not be graded (status "error", 0 in the gradebook, left
    out of the statistics, listed in `not_graded` and `attention`). Student
    ids go into the CSV as data (`grader.outputs.neutral.csv_cell`: a cell that a
    spreadsheet would run as a formula is quoted). summary.json also gives
    the file name (stem) of every student's outputs. report.html is drawn by
    `grader.outputs.class_report`. worker_uid: the uid the probe worker ran as (from
    /proc), recorded with the isolation.
    """
    from grader.isolation import sandbox
    from grader.outputs.class_report import write_report
    from grader.outputs.class_stats import class_stats
    from grader.outputs.neutral import csv_cell

    graded = course.assignment(options.get("assignment"))
    exercises = course.exercises(graded.id)
    ex_ids = [e.id for e in exercises]
    check_ids = [c.id for e in exercises for c in e.checks]
    points = {c.id: float(c.points) for e in exercises for c in e.checks}
    max_total = sum(e.max_score for e in exercises)
    docs = {e.student: _read_doc(out / f"{e.stem}.json") for e in entries}
    stats = class_stats(((e.student, e.stem, docs[e.student]) for e in entries), max_score=max_total)
    rows = []
    for student in stats.students:
        doc = docs[student.id] if student.graded else None
        ex_score = {e["id"]: e["score"] for e in doc["exercises"]} if doc else {}
        ch_score = {c["id"]: c["score"] for e in doc["exercises"] for c in e["checks"]} if doc else {}
        rows.append([student.id, _num(student.score)] + [_num(ex_score.get(i, 0.0)) for i in ex_ids]
                    + [_num(ch_score.get(i, 0.0)) for i in check_ids] + [student.outcome])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["student", "total"] + ex_ids + check_ids + ["status"])
    writer.writerow(["points possible", _num(max_total)] + [_num(e.max_score) for e in exercises]
                    + [_num(points[i]) for i in check_ids] + [""])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    atomic.write_text(out / "gradebook.csv", buf.getvalue())
    summary = {
        "schema_version": 1,
        "assignment": {"id": graded.id, "title": graded.title},
        "students": len(entries),
        "graded": stats.graded,
        "errors": stats.errors,
        "max_score": max_total,
        "mean": stats.mean,
        "median": stats.median,
        "histogram": [{"from_percent": b.from_percent, "to_percent": b.to_percent, "students": b.students}
                      for b in stats.histogram],
        "statuses": stats.statuses,
        **_summary_stats(stats),
        "isolation": {"layers": list(layers), "level": sandbox.level_reached(layers), "skipped": skipped,
                      "worker_uid": worker_uid},
        "files": {e.student: e.stem for e in entries},
        "options": options,
    }
    if lms_options is not None:
        summary["lms"] = _lms_summary(out, stats, max_score=max_total, **lms_options)
    atomic.write_json(out / "summary.json", summary)
    write_report(out, stats)
    return summary


def _num(x: float):
    return int(x) if float(x).is_integer() else round(float(x), 6)
