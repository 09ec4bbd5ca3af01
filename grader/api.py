"""The Python API: one keyword-only function per `grade` subcommand.

    grade(path, *, exercise=None, assignment=None, timeout=10.0, mode="auto", course=None, salt="",
          execute_all=False, allow_root=False) -> Report
    batch(submissions, *, out, assignment=None, jobs=None, timeout=10.0, regrade=False,
          min_isolation="process", mode="auto", salt="", course=None, isolation=True, execute_all=False,
          allow_root=False, roster=None, points=None, column=None) -> BatchResult
    gradescope(*, out, assignment=None, timeout=10.0, salt="", course=None) -> Path
    prairielearn(*, out, assignment=None, timeout=10.0, salt="", course=None) -> Path
    handout(*, out, assignment=None, course=None) -> Path
    build(*, course=None, check=False, exercise=None, assignment=None) -> BuildResult
    list_exercises(*, course=None, assignment=None) -> list[Exercise]
    assignments(*, course=None) -> list[Assignment]
    grade_prepared(prepared, *, label, timeout=10.0, mode="auto", course=None, salt="", allow_root=False,
                   assignment=None) -> Report
        (modules made from notebooks; `grader.submissions.notebook.check` uses it)

`assignment` is the id of one of the course's assignments (course.toml; see
`grader.authoring.course`). Grading (grade, batch, gradescope, prairielearn) takes the
default assignment, the first, when it is None; `grade` with an exercise,
or with one file named for an exercise, takes that exercise's assignment.
build, handout and list_exercises cover every exercise when it is None.

The CLI (`grader.cli`) is a thin layer over these; both share their defaults.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from grader.outputs import atomic
from grader.authoring import build as _build
from grader.authoring.course import Assignment, Course, find_course
from grader.judging.engine import Options, grade_files
from grader.errors import UsageError
from grader.outputs.results import Report
from grader.isolation.session import Limits
from grader.submissions.intake import open_submission
from grader.authoring.spec import Exercise
from grader.submissions.submission import Prepared

#: Default wall-clock limit per exercise, in seconds.
DEFAULT_TIMEOUT = 10.0
MODES = ("auto", "student", "instructor")


def grade(path: str | os.PathLike, *, exercise: str | None = None, assignment: str | None = None,
          timeout: float = DEFAULT_TIMEOUT, mode: str = "auto", course: str | os.PathLike | None = None,
          salt: str = "", execute_all: bool = False, allow_root: bool = False) -> Report:
    """Grade a submission (a folder, .py, .ipynb or .zip; see grader.submissions.intake) and return the Report.

    assignment: grade that assignment's exercises (see `chosen_assignment` for the default).
    exercise: only this exercise, which must belong to the assignment.
    mode: "auto" uses the reference when the course has it (instructor mode),
    "student" uses only the public cases, "instructor" requires the reference.
    execute_all: for a notebook, run every code cell instead of keeping only
    the definitions (see grader.submissions.conversion).
    allow_root: when running as root, grade even if the worker cannot drop
    root's privileges (by default that is refused with a PrivilegeError).
    """
    options = _options(timeout, mode, salt, allow_root)
    c = find_course(course)
    chosen = chosen_assignment(c, assignment, exercise=exercise, path=path)
    with tempfile.TemporaryDirectory(prefix="grade-intake-") as work:
        prepared = open_submission(path, c, workdir=work, exercise=exercise, execute_all=execute_all,
                                   assignment=chosen.id)
        report = grade_files(c, prepared.files, label=str(path), options=options, locate=prepared.locate,
                             refused=prepared.refused, assignment=chosen.id)
    return prepared.finish(report)


def chosen_assignment(c: Course, assignment: str | None, *, exercise: str | None = None,
                      path: str | os.PathLike | None = None) -> Assignment:
    """The assignment `grade` grades: the one named (an unknown id is a UsageError with the known ones;
    an exercise it does not hold is a UsageError naming the exercise's assignment); without one, the
    assignment of `exercise`, or of the exercise a single .py or .ipynb at `path` is named for, else
    the course's default assignment."""
    from grader.submissions.intake import exercise_not_in, exercise_of, named_exercises

    if exercise is not None:
        c.exercise(exercise)  # raises a UsageError with a suggestion for unknown ids
    if assignment is not None:
        chosen = c.assignment(assignment)
        if exercise is not None and exercise not in chosen.exercises:
            raise UsageError(exercise_not_in(c, exercise, chosen.id))
        return chosen
    named = exercise
    if named is None and path is not None and Path(path).suffix in (".py", ".ipynb") and not Path(path).is_dir():
        named = exercise_of(Path(path).name, named_exercises(c))
    owner = c.assignment_of(named) if named is not None else None
    return owner or c.assignment(None)


def grade_prepared(prepared: Prepared, *, label: str, timeout: float = DEFAULT_TIMEOUT, mode: str = "auto",
                   course: str | os.PathLike | None = None, salt: str = "", allow_root: bool = False,
                   assignment: str | None = None) -> Report:
    """Grade files already prepared (a kernel's history made into a module, by `grader.submissions.notebook`).

    assignment: recorded in the report (default: the assignment holding the prepared exercises)."""
    report = grade_files(find_course(course), prepared.files, label=label,
                         options=_options(timeout, mode, salt, allow_root), locate=prepared.locate,
                         assignment=assignment)
    return prepared.finish(report)


def _options(timeout: float, mode: str, salt: str, allow_root: bool = False) -> Options:
    if not (timeout > 0):
        raise UsageError("--timeout must be a positive number of seconds")
    if mode not in MODES:
        raise UsageError(f"mode must be one of {', '.join(MODES)}")
    return Options(limits=Limits(timeout=float(timeout)), mode=mode, salt=salt, allow_root=bool(allow_root))


def batch(submissions: str | os.PathLike, *, out: str | os.PathLike, assignment: str | None = None,
          jobs: int | None = None, timeout: float = DEFAULT_TIMEOUT, regrade: bool = False,
          min_isolation: str = "process", mode: str = "auto", salt: str = "",
          course: str | os.PathLike | None = None, isolation=True, execute_all: bool = False,
          allow_root: bool = False, roster: str | os.PathLike | None = None, points: float | None = None,
          column: str | None = None, progress=None):
    """Grade a folder of student entries into `out` (see grader.batch); returns a BatchResult.

    assignment: the assignment graded (default: the course's default assignment); its exercises,
    totals and LMS column.
    isolation: True (every OS layer this machine offers), False (the process
    boundary and rlimits only), or the names of the OS layers to try, from
    "namespaces", "landlock" and "seccomp" (to measure or bypass one layer).
    column: the grade column's title in the LMS files (default: the assignment's title).
    """
    from grader import batch as _batch

    if mode not in MODES:
        raise UsageError(f"mode must be one of {', '.join(MODES)}")
    return _batch.run(submissions, out=out, jobs=jobs, timeout=timeout, regrade=regrade,
                      min_isolation=min_isolation, mode=mode, salt=salt, isolation=isolation, course=course,
                      execute_all=execute_all, allow_root=allow_root, roster=roster, points=points,
                      assignment=assignment, column=column, progress=progress)


def handout(*, out: str | os.PathLike, assignment: str | None = None,
            course: str | os.PathLike | None = None) -> Path:
    """Write the student handout (see grader.authoring.release): no reference, no configs with the salt.

    assignment: hand out only that assignment's exercises (default: every exercise of the course)."""
    from grader.authoring.release import build_release

    return build_release(out=out, course=course, assignment=assignment)


def build(*, course: str | os.PathLike | None = None, check: bool = False,
          exercise: str | None = None, assignment: str | None = None) -> _build.BuildResult:
    """Regenerate student_template/ and the public cases from reference/ (check=True: compare only).

    Every exercise of the course by default; assignment: that assignment's exercises; exercise: that one
    (which must then belong to the assignment)."""
    from grader.submissions.intake import exercise_not_in

    c = find_course(course)
    ids = None
    if assignment is not None:
        ids = c.exercise_ids(assignment)
    if exercise is not None:
        c.exercise(exercise)
        if ids is not None and exercise not in ids:
            raise UsageError(exercise_not_in(c, exercise, assignment))
        ids = [exercise]
    return _build.build(c, check=check, exercise_ids=ids)


def list_exercises(*, course: str | os.PathLike | None = None, assignment: str | None = None) -> list[Exercise]:
    """The exercises in teaching order: every exercise of the course, or those of one assignment."""
    return find_course(course).exercises(assignment)


def new(exercise_id: str, *, convention: str = "column", style: str = "class", assignment: str | None = None,
        course: str | os.PathLike | None = None) -> list[Path]:
    """`grade new`: write a working exercise skeleton (grader.authoring.scaffold); returns the paths, relative to the course."""
    from grader.authoring import scaffold

    found = find_course(course)
    written = scaffold.new_exercise(found, exercise_id, convention=convention, style=style, assignment=assignment)
    return [p.relative_to(found.root) for p in written]


def assignments(*, course: str | os.PathLike | None = None) -> list[Assignment]:
    """The course's assignments in course.toml's order (the first is the default)."""
    return find_course(course).assignments()


FORMATS = ("native", "prairielearn", "gradescope")


def gradescope(*, out: str | os.PathLike, assignment: str | None = None, timeout: float = DEFAULT_TIMEOUT,
               salt: str = "", course: str | os.PathLike | None = None) -> Path:
    """Build a Gradescope autograder zip (see grader.outputs.gradescope) that grades one assignment (default: the
    course's default assignment)."""
    from grader.outputs.gradescope import build_package

    if not (timeout > 0):
        raise UsageError("--timeout must be a positive number of seconds")
    return build_package(out=out, course=course, timeout=timeout, salt=salt, assignment=assignment)


def prairielearn(*, out: str | os.PathLike, assignment: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 salt: str = "", course: str | os.PathLike | None = None) -> Path:
    """Build a PrairieLearn grader folder: image context, course folder, question (see grader.outputs.prairielearn),
    grading one assignment (default: the course's default assignment)."""
    from grader.outputs.prairielearn import build_package

    if not (timeout > 0):
        raise UsageError("--timeout must be a positive number of seconds")
    return build_package(out=out, course=course, timeout=timeout, salt=salt, assignment=assignment)


def write_json(report: Report, path: str | os.PathLike, *, format: str = "native") -> None:
    """Write the machine report to a file, atomically.

    format: "native" (schema version 1), "prairielearn" or "gradescope" (their results.json).
    """
    from grader.outputs import platforms

    if format not in FORMATS:
        raise UsageError(f"format must be one of {', '.join(FORMATS)}")
    doc = {"native": lambda: report.to_dict(), "prairielearn": lambda: platforms.prairielearn(report),
           "gradescope": lambda: platforms.gradescope(report, seconds=report.seconds)}[format]()
    atomic.write_json(path, doc)
