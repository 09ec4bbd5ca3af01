"""Finding the course folder and loading its exercises and reference.

A course folder holds:
    exercises/<id>/checks.py     the exercise declaration (EXERCISE = Exercise(...))
    exercises/<id>/README.md     the statement
    exercises/<id>/public_cases.json   public trials with expected values (made by `grade build`)
    student_template/<id>.py     the stubs (made by `grade build`)
    reference/<id>.py            the solutions: course staff only, absent from students' copies
    reference/mutants/<id>.py    makers of known wrong answers (staff only; see grader.mutants)

The folder is found, in order, from an explicit argument, the GRADE_COURSE
environment variable, or the checkout this package lives in.

Checks modules and the reference are trusted code and are imported in the
grading process; student code never is.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from grader import fixtures
from grader.errors import CourseError, UsageError
from grader.spec import Exercise

_CACHE: dict[tuple[str, str], object] = {}


@dataclass(frozen=True)
class Course:
    """A course folder on disk."""

    root: Path

    @property
    def exercises_dir(self) -> Path:
        return self.root / "exercises"

    @property
    def reference_dir(self) -> Path:
        return self.root / "reference"

    @property
    def template_dir(self) -> Path:
        return self.root / "student_template"

    def exercise_ids(self) -> list[str]:
        """Ids of every exercise, in teaching order."""
        found = [p.name for p in sorted(self.exercises_dir.iterdir()) if (p / "checks.py").is_file()]
        return [e.id for e in sorted((self.exercise(i) for i in found), key=lambda e: (e.order, e.id))]

    def exercises(self) -> list[Exercise]:
        return [self.exercise(i) for i in self.exercise_ids()]

    def exercise(self, exercise_id: str) -> Exercise:
        """Load exercises/<id>/checks.py and return its EXERCISE."""
        path = self.exercises_dir / exercise_id / "checks.py"
        if not path.is_file():
            known = [p.name for p in self.exercises_dir.iterdir() if (p / "checks.py").is_file()]
            raise UsageError(_unknown_exercise(exercise_id, known))
        module = _load(path, f"_grader_exercise_{exercise_id}", "exercise")
        ex = getattr(module, "EXERCISE", None)
        if not isinstance(ex, Exercise):
            raise CourseError(f"{path} must define EXERCISE = Exercise(...)")
        if ex.id != exercise_id:
            raise CourseError(f"{path} declares exercise id {ex.id!r}, but its folder is {exercise_id!r}")
        try:
            ex.validate()
        except ValueError as exc:
            raise CourseError(str(exc)) from None
        return ex

    def fixture_path(self, exercise_id: str) -> Path:
        return self.exercises_dir / exercise_id / fixtures.FILE_NAME

    def reference_path(self, exercise: Exercise) -> Path:
        return self.reference_dir / exercise.file

    def has_reference(self, exercise: Exercise) -> bool:
        return self.reference_path(exercise).is_file()

    def mutant_makers(self, exercise: Exercise) -> ModuleType | None:
        """Import reference/mutants/<id>.py if the exercise declares mutants (staff only)."""
        if not exercise.mutants:
            return None
        path = self.reference_dir / "mutants" / f"{exercise.id}.py"
        if not path.is_file():
            raise CourseError(f"exercise {exercise.id!r} declares mutants but {path} is missing")
        return _load(path, f"_grader_mutants_{exercise.id}", "mutant")

    def reference_module(self, exercise: Exercise) -> ModuleType:
        """Import reference/<file> (trusted staff code) in this process."""
        path = self.reference_path(exercise)
        if not path.is_file():
            raise CourseError(f"no reference solution at {path}")
        return _load(path, f"_grader_reference_{exercise.id}", "reference")


def _unknown_exercise(exercise_id: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(exercise_id, known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"there is no exercise {exercise_id!r}.{hint} Known exercises: {', '.join(sorted(known))}."


def _load(path: Path, name: str, what: str) -> ModuleType:
    key = (str(path.resolve()), name)
    mtime = path.stat().st_mtime_ns
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CourseError(f"cannot import the {what} module {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - staff code; report it in one line
        sys.modules.pop(name, None)
        raise CourseError(f"the {what} module {path} failed to load: {type(exc).__name__}: {exc}") from None
    _CACHE[key] = (mtime, module)
    return module


def find_course(course: str | os.PathLike | None = None) -> Course:
    """Locate the course folder (see the module docstring for the order)."""
    candidates = []
    if course is not None:
        candidates.append(("the --course argument", Path(course)))
    elif os.environ.get("GRADE_COURSE"):
        candidates.append(("GRADE_COURSE", Path(os.environ["GRADE_COURSE"])))
    else:
        candidates.append(("this checkout", Path(__file__).resolve().parent.parent))
    for origin, path in candidates:
        if (path / "exercises").is_dir():
            return Course(path.resolve())
        raise CourseError(f"{origin} ({path}) is not a course folder: it has no exercises/ folder. "
                          f"Pass --course DIR or set GRADE_COURSE.")
    raise CourseError("no course folder found")  # pragma: no cover
