"""Finding the course folder and loading its exercises and reference.

A course folder holds:
    course.toml                  optional: the course's title and its assignments (below)
    exercises/<id>/checks.py     the exercise declaration (EXERCISE = Exercise(...))
    exercises/<id>/README.md     the statement
    exercises/<id>/public_cases.json   public trials with expected values (made by `grade build`)
    student_template/<id>.py     the stubs (made by `grade build`)
    reference/<id>.py            the solutions: course staff only, absent from students' copies
    reference/mutants/<id>.py    makers of known wrong answers (staff only; see grader.judging.mutants)

The folder is found, in order, from an explicit argument, the GRADE_COURSE
environment variable, or the checkout this package lives in.

A course holds one or more assignments, each a set of its exercises graded
together (one `grade` run, one Gradescope zip, one LMS column). They are
declared in course.toml:

    title = "Backpropagation from the lecture notes"

    [assignments.hw1]
    title = "Backpropagation by hand"
    exercises = ["fc", "relu", "scanning_mlp", "logistic"]

Assignments keep the file's order and the first is the default. Every
exercise folder belongs to exactly one assignment. Without course.toml the
course has one implicit assignment, `all`, holding every exercise. The file
is checked when the course is found (`find_course`): a malformed file, an
unknown key, an assignment naming an exercise that does not exist, an
exercise listed twice and an exercise folder in no assignment are each a
CourseError naming the file and the key.

Checks modules and the reference are trusted code and are imported in the
grading process; student code never is.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from grader.judging import convention
from grader.authoring import fixtures
from grader.errors import CourseError, UsageError
from grader.authoring.spec import Exercise

_CACHE: dict[tuple[str, str], object] = {}

#: The file declaring a course's title and assignments.
COURSE_FILE = "course.toml"
#: The one assignment of a course without course.toml.
IMPLICIT_ASSIGNMENT = "all"
#: What an assignment id (a bare TOML key and a command-line word) may hold.
_ID = re.compile(r"[A-Za-z0-9_-]+")
_TOP_KEYS = ("title", "assignments")
_ASSIGNMENT_KEYS = ("title", "exercises")


@dataclass(frozen=True)
class Assignment:
    """Exercises graded together: one `grade` run, one Gradescope zip, one LMS column.

    exercises: their ids as course.toml lists them (the implicit `all` one: in teaching order);
    `Course.exercise_ids(id)` gives them in teaching order.
    """

    id: str
    title: str
    exercises: tuple[str, ...]


@dataclass(frozen=True)
class _Declared:
    """course.toml, parsed and checked: the course's title and its assignments (None: no course.toml)."""

    title: str
    assignments: tuple[Assignment, ...] | None


def _toml_loads(text: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib.loads(text)


def _toml_error() -> type[Exception]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib.TOMLDecodeError


def toml_string(text: str) -> str:
    """`text` as a TOML basic string (JSON's escapes are TOML's; non-ASCII stays as it is)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def _closest(name: str, options) -> str:
    close = difflib.get_close_matches(str(name), sorted(str(o) for o in options), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


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

    @property
    def course_file(self) -> Path:
        return self.root / COURSE_FILE

    def exercise_folders(self) -> list[str]:
        """Names of the exercise folders (those with a checks.py), sorted; no module is imported."""
        return [p.name for p in sorted(self.exercises_dir.iterdir()) if (p / "checks.py").is_file()]

    def exercise_ids(self, assignment: str | None = None) -> list[str]:
        """Ids in teaching order: of every exercise of the course, or (given an assignment id) of that
        assignment's exercises."""
        found = self.exercise_folders()
        if assignment is not None:
            wanted = set(self.assignment(assignment).exercises)
            found = [i for i in found if i in wanted]
        return [e.id for e in sorted((self.exercise(i) for i in found), key=lambda e: (e.order, e.id))]

    def exercises(self, assignment: str | None = None) -> list[Exercise]:
        """The Exercise objects of `exercise_ids(assignment)`."""
        return [self.exercise(i) for i in self.exercise_ids(assignment)]

    @property
    def title(self) -> str:
        """The course's title from course.toml ("" without one)."""
        return self._declared().title

    def assignments(self) -> list[Assignment]:
        """The assignments in course.toml's order (the first is the default); without course.toml, the
        implicit `all` holding every exercise."""
        declared = self._declared().assignments
        if declared is None:
            return [Assignment(IMPLICIT_ASSIGNMENT, _default_title(IMPLICIT_ASSIGNMENT), tuple(self.exercise_ids()))]
        return list(declared)

    def assignment(self, assignment_id: str | None = None) -> Assignment:
        """The assignment with this id; None: the default (the first). An unknown id is a UsageError
        naming the closest id and the known ones."""
        found = self.assignments()
        if not found:
            raise CourseError(f"{self.course_file} declares no assignment: add an [assignments.<id>] table")
        if assignment_id is None:
            return found[0]
        for a in found:
            if a.id == assignment_id:
                return a
        known = [a.id for a in found]
        close = difflib.get_close_matches(str(assignment_id), known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UsageError(f"there is no assignment {assignment_id!r}.{hint} Known assignments: {', '.join(known)}.")

    def assignment_of(self, exercise_id: str) -> Assignment | None:
        """The assignment that holds this exercise (None for an id no assignment holds)."""
        return next((a for a in self.assignments() if exercise_id in a.exercises), None)

    def _declared(self) -> _Declared:
        """course.toml, parsed and checked (cached on its modification time and the exercise folders)."""
        path = self.course_file
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return _Declared("", None)
        except OSError as exc:
            raise CourseError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        folders = tuple(self.exercise_folders())
        key = (str(path), "course.toml")
        cached = _CACHE.get(key)
        if cached is not None and cached[0] == (stamp, folders):
            return cached[1]
        declared = _parse_course_file(path, folders)
        _CACHE[key] = ((stamp, folders), declared)
        return declared

    def add_to_assignment(self, assignment_id: str, exercise_id: str, title: str | None = None) -> Path:
        """Add an exercise to an assignment in course.toml, editing the text (comments, order and every
        other line stay as they are); returns the file's path.

        Creates course.toml when the course has none (the exercises already there go into an `all`
        assignment first, so the course stays what it was) and the `[assignments.<id>]` table when
        it is missing. title: the assignment's title when its table is made or has no title yet
        (default: the id). Nothing happens when the exercise is already in that assignment; an
        exercise already in another assignment is a CourseError. The result is parsed again before
        it is written: an edit that would not give exactly the intended course is refused.
        """
        from grader.outputs import atomic

        for what, value in (("assignment id", assignment_id), ("exercise id", exercise_id)):
            if not isinstance(value, str) or not _ID.fullmatch(value):
                raise UsageError(f"{what} {value!r} must be letters, digits, '_' or '-'")
        path = self.course_file
        if not path.is_file():
            others = [i for i in self.exercise_folders() if i != exercise_id]
            text = ""
            if others and assignment_id != IMPLICIT_ASSIGNMENT:
                text = _table(IMPLICIT_ASSIGNMENT, _default_title(IMPLICIT_ASSIGNMENT),
                              self._teaching_order(others)) + "\n"
                others = []
            before = _parse_text(text, path)
            if others:
                before = {"assignments": {assignment_id: {"title": title or _default_title(assignment_id),
                                                          "exercises": self._teaching_order(others)}}}
            text += _table(assignment_id, title or _default_title(assignment_id),
                           [*self._teaching_order(others), exercise_id])
        else:
            text = path.read_text(encoding="utf-8")
            before = _parse_text(text, path)
            holder = next((a for a, t in before.get("assignments", {}).items()
                           if isinstance(t, dict) and exercise_id in (t.get("exercises") or [])), None)
            if holder == assignment_id:
                return path
            if holder is not None:
                raise CourseError(f"{path}: assignments.{holder}.exercises already lists {exercise_id!r}; an "
                                  f"exercise belongs to one assignment")
            text = _add_exercise(text, assignment_id, exercise_id, title, path)
        after = _parse_text(text, path)
        expected = _with_exercise(before, assignment_id, exercise_id, title)
        if after != expected:
            raise CourseError(f"{path}: could not add {exercise_id!r} to assignment {assignment_id!r} without "
                              f"changing something else; add it to the file by hand")
        atomic.write_text(path, text)
        return path

    def course_file_for(self, assignment_id: str) -> str:
        """The text of a course.toml declaring this assignment alone (for a folder holding only its
        exercises: a handout of one assignment)."""
        a = self.assignment(assignment_id)
        head = f"title = {toml_string(self.title)}\n\n" if self.title else ""
        return ("# Written by `grade handout --assignment`: the one assignment handed out.\n" + head
                + _table(a.id, a.title, list(a.exercises)))

    def _teaching_order(self, ids: list[str]) -> list[str]:
        """These exercise ids in teaching order (ids whose checks.py does not load go last, sorted)."""
        keyed = []
        for i in ids:
            try:
                ex = self.exercise(i)
                keyed.append(((0, ex.order, i), i))
            except (CourseError, UsageError):
                keyed.append(((1, 0, i), i))
        return [i for _, i in sorted(keyed)]

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


def _parse_text(text: str, path: Path) -> dict:
    try:
        return _toml_loads(text)
    except _toml_error() as exc:
        raise CourseError(f"{path}: not valid TOML ({exc})") from None


def _line_of(text: str, assignment_id: str | None, *needles: str) -> str:
    """":<line>" of the first line holding one of the needles, in order, looking from the header of
    that assignment's table when there is one ("" when no line does)."""
    lines = text.splitlines()
    start = 0
    if assignment_id is not None:
        start = next((k for k, line in enumerate(lines) if _header_of(line, assignment_id)), 0)
    for needle in needles:
        for k in range(start, len(lines)):
            if needle in lines[k]:
                return f":{k + 1}"
    return ""


def _parse_course_file(path: Path, folders: tuple[str, ...]) -> _Declared:
    """Parse and check course.toml against the exercise folders (module docstring); CourseError if wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseError(f"{path}: cannot be read ({exc})") from None
    doc = _parse_text(text, path)

    def fail(key: str, message: str, *needles: str) -> None:
        parts = key.split(".")
        aid = parts[1] if parts[0] == "assignments" and len(parts) > 1 else None
        raise CourseError(f"{path}{_line_of(text, aid, *needles, parts[-1])}: {key}: {message}")

    for key in doc:
        if key not in _TOP_KEYS:
            fail(key, f"unknown key{_closest(key, _TOP_KEYS)}; course.toml holds title and "
                      f"[assignments.<id>] tables")
    title = doc.get("title", "")
    if not isinstance(title, str):
        fail("title", "must be a string")
    tables = doc.get("assignments", {})
    if not isinstance(tables, dict):
        fail("assignments", "must be tables: [assignments.<id>]")
    assignments, owner = [], {}
    known = set(folders)
    for aid, table in tables.items():
        where = f"assignments.{aid}"
        header = (f"[assignments.{aid}]", f"assignments.{aid}", aid)
        if not _ID.fullmatch(aid):
            fail(where, "an assignment id is letters, digits, '_' or '-'", *header)
        if not isinstance(table, dict):
            fail(where, "must be a table with title and exercises", *header)
        for key in table:
            if key not in _ASSIGNMENT_KEYS:
                fail(f"{where}.{key}", f"unknown key{_closest(key, _ASSIGNMENT_KEYS)}; an assignment has "
                                       f"title and exercises", f"{key} =", f"{key}=")
        a_title = table.get("title", _default_title(aid))
        if not isinstance(a_title, str) or not a_title.strip():
            fail(f"{where}.title", "must be a non-empty string", "title", *header)
        ids = table.get("exercises")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            fail(f"{where}.exercises", "must be a non-empty list of exercise ids (strings)", "exercises", *header)
        for i in ids:
            if i not in known:
                fail(f"{where}.exercises", f"there is no exercise {i!r}{_closest(i, known)}: no "
                                           f"exercises/{i}/checks.py", f'"{i}"', f"'{i}'")
            if i in owner:
                also = "twice" if owner[i] == aid else f"also in assignments.{owner[i]}"
                fail(f"{where}.exercises", f"{i!r} is listed {also}; an exercise belongs to one assignment",
                     f'"{i}"', f"'{i}'")
            owner[i] = aid
        assignments.append(Assignment(aid, a_title.strip(), tuple(ids)))
    stray = [i for i in folders if i not in owner]
    if stray:
        raise CourseError(f"{path}: exercise{'s' if len(stray) > 1 else ''} {', '.join(map(repr, stray))} "
                          f"{'are' if len(stray) > 1 else 'is'} in no assignment: list "
                          f"{'them' if len(stray) > 1 else 'it'} under an [assignments.<id>] table's exercises")
    return _Declared(title.strip(), tuple(assignments))


def _default_title(assignment_id: str) -> str:
    """The title of an assignment that declares none: its id ("All exercises" for the implicit one)."""
    return "All exercises" if assignment_id == IMPLICIT_ASSIGNMENT else assignment_id


def _table(assignment_id: str, title: str, exercises: list[str]) -> str:
    """A new [assignments.<id>] table, as text."""
    listed = ", ".join(toml_string(i) for i in exercises)
    return f"[assignments.{assignment_id}]\ntitle = {toml_string(title)}\nexercises = [{listed}]\n"


def _with_exercise(doc: dict, assignment_id: str, exercise_id: str, title: str | None) -> dict:
    """What course.toml should parse to once the exercise is added (the check of a textual edit)."""
    import copy

    doc = copy.deepcopy(doc)
    tables = doc.setdefault("assignments", {})
    if assignment_id not in tables:
        tables[assignment_id] = {"title": title or _default_title(assignment_id)}
    table = tables[assignment_id]
    if "title" not in table and title:
        table["title"] = title
    table["exercises"] = [*table.get("exercises", []), exercise_id]
    return doc


#: A table header line: `[name]`, `[a.b]`, `[[array]]`, with an optional comment.
_HEADER = re.compile(r"^\s*\[")


def _header_of(line: str, assignment_id: str) -> bool:
    code = line.split("#", 1)[0].strip()
    return re.fullmatch(rf"\[\s*assignments\s*\.\s*(?:{re.escape(assignment_id)}|\"{re.escape(assignment_id)}\"|"
                        rf"'{re.escape(assignment_id)}')\s*\]", code) is not None


def _array_end(text: str, start: int) -> tuple[int, int] | None:
    """For the array opening at text[start] == "[": (index of its closing "]", index just after the
    last value or comma inside it, or start + 1 when it is empty). Strings and comments are skipped."""
    depth, k, last = 0, start, start + 1
    while k < len(text):
        ch = text[k]
        if ch == "#":
            k = text.find("\n", k)
            if k < 0:
                return None
            continue
        if ch in "\"'":
            triple = text.startswith(ch * 3, k)
            quote = ch * 3 if triple else ch
            k += len(quote)
            while k < len(text) and not text.startswith(quote, k):
                k += 2 if (ch == '"' and text[k] == "\\") else 1
            k += len(quote)
            last = k
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return k, last
        if not ch.isspace() and k != start:
            last = k + 1
        k += 1
    return None


def _add_exercise(text: str, assignment_id: str, exercise_id: str, title: str | None, path: Path) -> str:
    """course.toml's text with the exercise added to the assignment's list (see Course.add_to_assignment)."""
    lines = text.splitlines(keepends=True)
    head = next((k for k, line in enumerate(lines) if _header_of(line, assignment_id)), None)
    if head is None:
        if re.search(rf"^\s*assignments\s*\.\s*{re.escape(assignment_id)}\b|^\s*assignments\s*=", text, re.M):
            raise CourseError(f"{path}: assignments are not written as [assignments.<id>] tables; add "
                              f"{exercise_id!r} to assignment {assignment_id!r} by hand")
        sep = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
        return text + sep + _table(assignment_id, title or _default_title(assignment_id), [exercise_id])
    end = next((k for k in range(head + 1, len(lines)) if _HEADER.match(lines[k])), len(lines))
    body_start = sum(len(line) for line in lines[:head + 1])
    body_end = sum(len(line) for line in lines[:end])
    body = text[body_start:body_end]
    has_title = re.search(r"^\s*title\s*=", body, re.M) is not None
    extra = f"title = {toml_string(title)}\n" if title and not has_title else ""
    key = re.search(r"^\s*exercises\s*=\s*(\[)", body, re.M)
    if key is None:
        # After the table's last key line: trailing blank lines and comments stay below the table.
        keep = [k for k in range(head + 1, end) if lines[k].strip() and not lines[k].lstrip().startswith("#")]
        at = sum(len(line) for line in lines[:(keep[-1] + 1 if keep else head + 1)])
        before = text[:at] if text[:at].endswith("\n") else text[:at] + "\n"
        return before + extra + f"exercises = [{toml_string(exercise_id)}]\n" + text[at:]
    opening = body_start + key.start(1)
    found = _array_end(text, opening)
    if found is None:
        raise CourseError(f"{path}: assignments.{assignment_id}.exercises: the list is not closed")
    close, last = found
    item = toml_string(exercise_id)
    inner = text[opening + 1:close]
    if last == opening + 1:                                    # an empty list
        new = text[:opening + 1] + item + text[close:]
    elif "\n" in inner:                                        # one value per line: the same layout
        prev_line_start = text.rfind("\n", 0, last - 1) + 1
        indent = re.match(r"[ \t]*", text[prev_line_start:]).group(0) or "    "
        if text[last - 1] == ",":
            new = text[:last] + f"\n{indent}{item}," + text[last:]
        else:
            new = text[:last] + f",\n{indent}{item}" + text[last:]
    elif text[last - 1] == ",":
        new = text[:last] + f" {item}" + text[last:]
    else:
        new = text[:last] + f", {item}" + text[last:]
    if extra:                                                  # the header's line ends before the list
        new = new[:body_start] + extra + new[body_start:]
    return new


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
    except CourseError:      # already one line naming the file and what to fix (grader.authoring.declare)
        sys.modules.pop(name, None)
        raise
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
        candidates.append(("this checkout", Path(__file__).resolve().parents[2]))
    for origin, path in candidates:
        if (path / "exercises").is_dir():
            found = Course(path.resolve())
            found._declared()                # course.toml is checked now: one line naming file and key
            convention.set_course_root(found.root)      # its conventions/ folder (grader.judging.convention)
            return found
        raise CourseError(f"{origin} ({path}) is not a course folder: it has no exercises/ folder. "
                          f"Pass --course DIR or set GRADE_COURSE.")
    raise CourseError("no course folder found")  # pragma: no cover
