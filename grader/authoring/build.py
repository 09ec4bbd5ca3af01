"""`grade build`: everything students receive, made from reference/.

For each exercise:
- student_template/<file>: the reference with its solution blocks replaced
  by `raise NotImplementedError(...)` (`grader.authoring.templates`);
- exercises/<id>/public_cases.json: the stored public trials, with inputs
  and the reference's results (`grader.authoring.fixtures`);
- exercises/<id>/<id>.ipynb: the exercise notebook (`grader.authoring.handout`).

Generated files are never edited by hand. `check=True` writes nothing and
reports which files differ from what a build would write; the test suite
uses it to fail when the committed files drift from reference/. A public
cases file whose computed values differ only in the last bits (another
BLAS build) counts as up to date and is not rewritten (`fixtures.drift`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.outputs import atomic
from grader.authoring import fixtures
from grader.judging import oracle
from grader.authoring.course import Course
from grader.errors import BuildError, CourseError
from grader.authoring.handout import make_notebook
from grader.authoring.templates import make_stub


@dataclass(frozen=True)
class BuildResult:
    """Paths (relative to the course folder) that were written, or that differ when checking."""

    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
    checked_only: bool


def expected_files(course: Course, exercise_ids: list[str] | None = None) -> dict[Path, str]:
    """What a build would write: {path: text}."""
    files: dict[Path, str] = {}
    for ex in course.exercises():
        if exercise_ids is not None and ex.id not in exercise_ids:
            continue
        ref_path = course.reference_path(ex)
        if not ref_path.is_file():
            raise BuildError(f"no reference solution for {ex.id!r} at {ref_path}")
        source = ref_path.read_text(encoding="utf-8")
        stub = make_stub(source, f"reference/{ex.file}")
        files[course.template_dir / ex.file] = stub
        statement = course.exercises_dir / ex.id / "README.md"
        if statement.is_file():
            files[course.exercises_dir / ex.id / f"{ex.id}.ipynb"] = make_notebook(
                ex, statement.read_text(encoding="utf-8"), stub)
        module = course.reference_module(ex)
        trials = [ex.make_trial(plan, "public") for plan in ex.public if plan.store]
        expectations = oracle.from_reference(ex, module, trials, course.mutant_makers(ex))
        stored = []
        for t in trials:
            exps = expectations[t.name]
            values = {out: e.expected for out, e in exps.items()}
            mutants = {kw.key: kw.value for e in exps.values() for kw in e.known}
            parts = {out: e.parts for out, e in exps.items() if e.parts}
            stored.append(fixtures.StoredTrial(t.name, t.recipe, t.inputs, values, mutants, parts))
        try:
            files[course.fixture_path(ex.id)] = fixtures.dumps(ex.id, stored)
        except ValueError as exc:
            raise BuildError(f"cannot store the public cases of {ex.id!r}: {exc}") from None
    return files


def build(course: Course, *, check: bool = False, exercise_ids: list[str] | None = None,
          verify: bool = True) -> BuildResult:
    """Regenerate templates and public cases (or, with check=True, only compare).

    verify: then grade the reference (full marks) and the stubs (every check
    not_implemented) in both modes (`grader.authoring.validate.verify_grading`); skipped
    by --check when files are out of date, since the verdict would be about
    stale files.

    The declarations are validated first (`grader.authoring.validate`): a name that does
    not resolve stops the build with a CourseError naming the file, the line
    and the closest name, before any file is written.
    """
    from grader.authoring.validate import validate_course

    problems = validate_course(course, exercise_ids)
    if problems:
        more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
        raise CourseError(f"{problems[0]}{more}")
    changed, unchanged = [], []
    for path, text in expected_files(course, exercise_ids).items():
        rel = str(path.relative_to(course.root))
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text or (current is not None and path.name == fixtures.FILE_NAME
                               and fixtures.drift(current, text) is None):
            unchanged.append(rel)
            continue
        changed.append(rel)
        if not check:
            atomic.write_text(path, text, mkdir=True)
    if verify and not (check and changed):
        from grader.authoring.validate import verify_grading

        problems = verify_grading(course, exercise_ids or course.exercise_ids())
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise CourseError(f"{problems[0]}{more}")
    return BuildResult(tuple(changed), tuple(unchanged), check)
