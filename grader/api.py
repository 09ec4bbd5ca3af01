"""The Python API: one keyword-only function per `grade` subcommand.

    grade(path, *, exercise=None, timeout=10.0, mode="auto", course=None, salt="", execute_all=False,
          allow_root=False) -> Report
    batch(submissions, *, out, jobs=None, timeout=10.0, regrade=False, min_isolation="process",
          mode="auto", salt="", course=None, isolation=True, execute_all=False, allow_root=False,
          roster=None, points=None, assignment="backprop") -> BatchResult
    gradescope(*, out, timeout=10.0, salt="", course=None) -> Path
    prairielearn(*, out, timeout=10.0, salt="", course=None) -> Path
    handout(*, out, course=None) -> Path
    build(*, course=None, check=False, exercise=None) -> BuildResult
    list_exercises(*, course=None) -> list[Exercise]
    grade_prepared(prepared, *, label, timeout=10.0, mode="auto", course=None, salt="", allow_root=False) -> Report
        (modules made from notebooks; `grader.notebook.check` uses it)

The CLI (`grader.cli`) is a thin layer over these; both share their defaults.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from grader import atomic
from grader import build as _build
from grader.course import find_course
from grader.engine import Options, grade_files
from grader.errors import UsageError
from grader.results import Report
from grader.session import Limits
from grader.intake import open_submission
from grader.spec import Exercise
from grader.submission import Prepared

#: Default wall-clock limit per exercise, in seconds.
DEFAULT_TIMEOUT = 10.0
MODES = ("auto", "student", "instructor")


def grade(path: str | os.PathLike, *, exercise: str | None = None, timeout: float = DEFAULT_TIMEOUT,
          mode: str = "auto", course: str | os.PathLike | None = None, salt: str = "",
          execute_all: bool = False, allow_root: bool = False) -> Report:
    """Grade a submission (a folder, .py, .ipynb or .zip; see grader.intake) and return the Report.

    mode: "auto" uses the reference when the course has it (instructor mode),
    "student" uses only the public cases, "instructor" requires the reference.
    execute_all: for a notebook, run every code cell instead of keeping only
    the definitions (see grader.conversion).
    allow_root: when running as root, grade even if the worker cannot drop
    root's privileges (by default that is refused with a PrivilegeError).
    """
    options = _options(timeout, mode, salt, allow_root)
    c = find_course(course)
    if exercise is not None:
        c.exercise(exercise)  # raises a UsageError with a suggestion for unknown ids
    with tempfile.TemporaryDirectory(prefix="grade-intake-") as work:
        prepared = open_submission(path, c, workdir=work, exercise=exercise, execute_all=execute_all)
        report = grade_files(c, prepared.files, label=str(path), options=options, locate=prepared.locate,
                             refused=prepared.refused)
    return prepared.finish(report)


def grade_prepared(prepared: Prepared, *, label: str, timeout: float = DEFAULT_TIMEOUT, mode: str = "auto",
                   course: str | os.PathLike | None = None, salt: str = "", allow_root: bool = False) -> Report:
    """Grade files already prepared (a kernel's history made into a module, by `grader.notebook`)."""
    report = grade_files(find_course(course), prepared.files, label=label,
                         options=_options(timeout, mode, salt, allow_root), locate=prepared.locate)
    return prepared.finish(report)


def _options(timeout: float, mode: str, salt: str, allow_root: bool = False) -> Options:
    if not (timeout > 0):
        raise UsageError("--timeout must be a positive number of seconds")
    if mode not in MODES:
        raise UsageError(f"mode must be one of {', '.join(MODES)}")
    return Options(limits=Limits(timeout=float(timeout)), mode=mode, salt=salt, allow_root=bool(allow_root))


def batch(submissions: str | os.PathLike, *, out: str | os.PathLike, jobs: int | None = None,
          timeout: float = DEFAULT_TIMEOUT, regrade: bool = False, min_isolation: str = "process",
          mode: str = "auto", salt: str = "", course: str | os.PathLike | None = None, isolation=True,
          execute_all: bool = False, allow_root: bool = False, roster: str | os.PathLike | None = None,
          points: float | None = None, assignment: str = "backprop", progress=None):
    """Grade a folder of student entries into `out` (see grader.batch); returns a BatchResult.

    isolation: True (every OS layer this machine offers), False (the process
    boundary and rlimits only), or the names of the OS layers to try, from
    "namespaces", "landlock" and "seccomp" (to measure or bypass one layer).
    """
    from grader import batch as _batch

    if mode not in MODES:
        raise UsageError(f"mode must be one of {', '.join(MODES)}")
    return _batch.run(submissions, out=out, jobs=jobs, timeout=timeout, regrade=regrade,
                      min_isolation=min_isolation, mode=mode, salt=salt, isolation=isolation, course=course,
                      execute_all=execute_all, allow_root=allow_root, roster=roster, points=points,
                      assignment=assignment, progress=progress)


def handout(*, out: str | os.PathLike, course: str | os.PathLike | None = None) -> Path:
    """Write the student handout (see grader.release): no reference, no configs with the salt."""
    from grader.release import build_release

    return build_release(out=out, course=course)


def build(*, course: str | os.PathLike | None = None, check: bool = False,
          exercise: str | None = None) -> _build.BuildResult:
    """Regenerate student_template/ and the public cases from reference/ (check=True: compare only)."""
    c = find_course(course)
    ids = None
    if exercise is not None:
        c.exercise(exercise)
        ids = [exercise]
    return _build.build(c, check=check, exercise_ids=ids)


def list_exercises(*, course: str | os.PathLike | None = None) -> list[Exercise]:
    """The course's exercises, in teaching order."""
    return find_course(course).exercises()


FORMATS = ("native", "prairielearn", "gradescope")


def gradescope(*, out: str | os.PathLike, timeout: float = DEFAULT_TIMEOUT, salt: str = "",
               course: str | os.PathLike | None = None) -> Path:
    """Build a Gradescope autograder zip (see grader.gradescope)."""
    from grader.gradescope import build_package

    if not (timeout > 0):
        raise UsageError("--timeout must be a positive number of seconds")
    return build_package(out=out, course=course, timeout=timeout, salt=salt)


def prairielearn(*, out: str | os.PathLike, timeout: float = DEFAULT_TIMEOUT, salt: str = "",
                 course: str | os.PathLike | None = None) -> Path:
    """Build a PrairieLearn grader folder: image context, course folder, question (see grader.prairielearn)."""
    from grader.prairielearn import build_package

    if not (timeout > 0):
        raise UsageError("--timeout must be a positive number of seconds")
    return build_package(out=out, course=course, timeout=timeout, salt=salt)


def write_json(report: Report, path: str | os.PathLike, *, format: str = "native") -> None:
    """Write the machine report to a file, atomically.

    format: "native" (schema version 1), "prairielearn" or "gradescope" (their results.json).
    """
    from grader import platforms

    if format not in FORMATS:
        raise UsageError(f"format must be one of {', '.join(FORMATS)}")
    doc = {"native": lambda: report.to_dict(), "prairielearn": lambda: platforms.prairielearn(report),
           "gradescope": lambda: platforms.gradescope(report, seconds=report.seconds)}[format]()
    atomic.write_json(path, doc)
