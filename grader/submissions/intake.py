"""One way in for a submission: what a path holds, decided the same way for every entry point.

`grade`, `grade batch`, the Gradescope runner and the PrairieLearn runner
all call `open_submission`; the notebook `check()` converts the kernel's
history with the same converter. So the same files give the same verdicts
whichever way they arrive.

What a submission is (`path`):
- a **folder** holding exercise files: `fc.py` for the fc exercise, or the
  notebook `fc.ipynb` when there is no `fc.py`. Names an LMS or a browser
  gives a re-uploaded file count as the exercise's own: `fc-1.py`
  (Canvas), `fc (2).py` (browsers), `FC.py`. A folder whose only subfolder
  holds the files (a zip of a folder, Moodle's one folder per student) is
  read there. An exercise with no file of its own name is graded from the
  one other `.py` (or `.ipynb`) of that folder that defines its classes or
  functions (`layers.py` defining `Linear` and `ReLU` counts for both).
  Two files claiming the same exercise refuse that exercise, naming both.
- a **single `.py` or `.ipynb`**: named for an exercise (with the renames
  above), it is that exercise; otherwise it counts for every exercise whose
  classes or functions it defines. A batch entry that is a file is named
  for the student, so there it always counts by what it defines
  (`by_name=False`).
- a **`.zip`** (batch entries and uploads), or a folder holding nothing but
  one zip (an upload folder): unpacked by `grader.submissions.archive` with its limits,
  then read as a folder.
`exercise` narrows any of these to one exercise (and lets a single file
have any name).

Anything unreadable is a SubmissionError with a one-line reason; when no
file matches, the reason lists what was found and, when a name is close to
an exercise file, asks "did you mean". Files are read through
`grader.submissions.safe_read` (no link followed, no special file read).

`complete=True` (batch, Gradescope, PrairieLearn) reports every exercise,
those with no file as `missing`; `grade` on a single file reports only the
exercises the file is for. `assignment` limits all of this to the exercises
of one assignment of the course (course.toml): files for exercises of other
assignments are not graded, and when nothing else is found the message says
which assignment they belong to.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from pathlib import Path

from grader.submissions import archive, safe_read
from grader.errors import SubmissionError, UsageError
from grader.submissions.submission import (Prepared, Submission, check_source, defined_names, defined_names_in,
                               left_out_helpers, notebook_files, prepare)

#: What an LMS or a browser appends to a re-uploaded file's name: "fc-1", "fc (2)", "fc_2".
_RENAMED = re.compile(r"(?P<base>.+?)(?:-\d{1,3}| ?\(\d{1,3}\)|_\d{1,3})")
#: Folders that are never a student's (macOS zip debris, caches, notebook checkpoints).
_IGNORED_DIRS = ("__MACOSX", "__pycache__", ".ipynb_checkpoints")


def exercise_of(name: str, exercises) -> str | None:
    """The exercise a file name is for ("fc.py", "fc-1.py", "FC (2).ipynb" → "fc"), or None.

    exercises: the course's Exercise objects. Only `.py` and `.ipynb` names count.
    """
    p = Path(name)
    if p.suffix not in (".py", ".ipynb"):
        return None
    by_stem = {e.module_name.casefold(): e.id for e in exercises}
    stem = p.stem.casefold()
    if stem in by_stem:
        return by_stem[stem]
    m = _RENAMED.fullmatch(stem)
    return by_stem.get(m.group("base")) if m else None


def _sources(folder: Path) -> list[tuple[str, str]]:
    """(name, kind) of the .py and .ipynb entries of a folder, hidden ones left out."""
    return [(n, k) for n, k in safe_read.entries(folder)
            if n.endswith((".py", ".ipynb")) and not n.startswith(".")]


def _holds_exercise_files(folder: Path, exercises) -> bool:
    return any(exercise_of(n, exercises) for n, _ in _sources(folder))


def find_folder(folder: Path, exercises, depth: int = 3) -> Path | None:
    """The folder holding the submission: this one, or the only subfolder (recursively) that holds
    exercise files or any .py/.ipynb. Links are never followed into."""
    if _holds_exercise_files(folder, exercises):
        return folder
    subfolders = [folder / n for n, k in safe_read.entries(folder)
                  if k == "dir" and not n.startswith(".") and n not in _IGNORED_DIRS]
    if depth > 0:
        found = [p for p in (find_folder(d, exercises, depth - 1) for d in subfolders) if p is not None]
        if len(found) == 1:
            return found[0]
    if _sources(folder):
        return folder
    if depth > 0 and len(subfolders) == 1:
        return find_folder(subfolders[0], exercises, depth - 1)
    return None


def _names(path: Path) -> set[str] | None:
    """Top-level class and function names a .py or notebook defines (None: it does not parse)."""
    if path.suffix == ".py":
        return defined_names(path)
    from grader.submissions.conversion import definitions, read_notebook

    try:
        return defined_names_in(definitions(read_notebook(path)).source)
    except SubmissionError:
        return None                              # converting it for grading reports why


def _did_you_mean(found: list[str], exercises) -> str:
    """" Did you mean fc.py for fc_layer.py?" for names close to an exercise's files ("" if none)."""
    wanted = [e.file for e in exercises] + [f"{e.id}.ipynb" for e in exercises]
    hints = []
    for name in found:
        close = difflib.get_close_matches(name.casefold(), wanted, n=1, cutoff=0.6)
        if close:
            hints.append(f"{close[0]} for {name}")
    return f" Did you mean {', '.join(hints)}? Rename the file." if hints else ""


def _folder_submission(folder: Path, exercises, *, wanted: list[str], label: str, foreign=()) -> Submission:
    """Map each wanted exercise to its file in `folder` (see the module docstring).

    foreign: exercises of the course's other assignments; a file named for one of them is theirs, never
    a helper of these exercises."""
    by_id = {e.id: e for e in exercises}
    claims: dict[str, list[str]] = {i: [] for i in wanted}
    others: list[str] = []
    for name, _ in _sources(folder):
        ex_id = exercise_of(name, exercises)
        if ex_id is None and foreign and exercise_of(name, foreign):
            continue
        if ex_id is None:
            others.append(name)
        elif ex_id in claims:
            claims[ex_id].append(name)
    files: dict[str, Path | None] = {}
    refused: dict[str, str] = {}
    notes: list[str] = []
    for ex_id in wanted:
        names = claims[ex_id]
        exact = [n for n in names if n in (by_id[ex_id].file, f"{ex_id}.ipynb")]
        if len(exact) == 2:                         # fc.py and fc.ipynb: the .py is graded, as always
            names = [by_id[ex_id].file]
        elif len(names) > 1:
            refused[ex_id] = (f"{' and '.join(sorted(names))} are all files for {ex_id}; keep only one and "
                              f"submit again")
            continue
        files[ex_id] = folder / names[0] if names else None
    unclaimed = [i for i in wanted if files.get(i) is None and i not in refused]
    if unclaimed and others:
        defines = {name: _names(folder / name) for name in others if safe_read.kind(folder / name) == "file"}
        for ex_id in unclaimed:
            entry = by_id[ex_id].entry_names
            hits = sorted(n for n, names in defines.items() if names and names & entry)
            if len(hits) == 1:
                files[ex_id] = folder / hits[0]
                notes.append(f"{ex_id} was graded from {hits[0]}, which defines "
                             f"{', '.join(sorted(defines[hits[0]] & entry))}")
            elif len(hits) > 1:
                refused[ex_id] = (f"{' and '.join(hits)} all define {', '.join(sorted(entry))}; keep one of "
                                  f"them (or name it {by_id[ex_id].file}) and submit again")
        if not any(files.values()) and not refused:
            broken = [n for n, names in defines.items() if names is None]
            if len(broken) == 1 and len(defines) == 1:       # one file that does not parse: report its error
                files = {i: folder / broken[0] for i in wanted}
    for ex_id, path in list(files.items()):
        if path is None:
            continue
        try:
            safe_read.check(path, root=folder)
            if path.suffix == ".py":
                check_source(path, root=folder)
        except safe_read.NotARealFile as exc:
            refused[ex_id] = exc.message
            files[ex_id] = None
    if not any(files.values()) and not refused:
        listed = ", ".join(sorted(e.file for e in exercises if e.id in wanted))
        found = sorted(n for n, _ in _sources(folder))
        more = f" and {len(found) - 8} more" if len(found) > 8 else ""
        seen = f"; it holds {', '.join(found[:8])}{more}" if found else ""
        raise SubmissionError(f"{label} holds none of the exercise files ({listed}, or <id>.ipynb notebooks)"
                              f"{seen}.{_did_you_mean(found, exercises)}")
    return Submission(label, files, refused, left_out_helpers(folder) + tuple(notes))


def open_submission(path: str | Path, course, *, workdir: str | Path, exercise: str | None = None,
                    execute_all: bool = False, complete: bool = False, by_name: bool = True,
                    label: str | None = None, assignment: str | None = None) -> Prepared:
    """The submission at `path`, ready for the engine (see the module docstring).

    course: a `grader.authoring.course.Course`; workdir: an empty folder for unpacked
    zips and converted notebooks; exercise: grade only this one; complete:
    list every exercise (absent ones as None); by_name: a single file named
    for an exercise counts for that exercise (False for a batch entry, which
    is named for the student); label: the name reports use (default: path);
    assignment: only that assignment's exercises (None: every exercise).
    """
    try:
        return _open(path, course, workdir=workdir, exercise=exercise, execute_all=execute_all, complete=complete,
                     by_name=by_name, label=label, assignment=assignment)
    except SubmissionError as exc:
        hint = _elsewhere(path, course, assignment) if assignment is not None else ""
        if not hint or "--assignment" in exc.message:
            raise
        raise SubmissionError(f"{exc.message} {hint}") from None


def exercise_not_in(course, exercise: str, assignment: str | None) -> str:
    """The message for an exercise asked for with an assignment that does not hold it."""
    owner = course.assignment_of(exercise)
    where = f"it is in assignment {owner.id!r}: pass --assignment {owner.id}" if owner else "no assignment holds it"
    return f"exercise {exercise!r} is not in assignment {assignment!r}; {where}"


def named_exercises(course, excluding=()) -> list:
    """The course's exercises but those in `excluding`, as far as `exercise_of` needs them (id and file
    name): used only to recognise files of other assignments' exercises. One whose checks.py does not
    load stands as `<id>.py`; its error is reported when its own assignment is graded, not here."""
    from types import SimpleNamespace

    from grader.errors import CourseError

    found = []
    for i in course.exercise_folders():
        if i in excluding:
            continue
        try:
            found.append(course.exercise(i))
        except (CourseError, UsageError):
            found.append(SimpleNamespace(id=i, module_name=i))
    return found


def _elsewhere(path: str | Path, course, assignment: str) -> str:
    """" fc2.py is for assignment 'hw2': grade it with --assignment hw2." for exercise files of other
    assignments found at `path` (a file, or the files of a folder); "" when there are none."""
    p = Path(path)
    try:
        names = [n for n, _ in _sources(p)] if p.is_dir() else [p.name]
    except (OSError, SubmissionError):
        return ""
    others = named_exercises(course, course.exercise_ids(assignment))
    found = {}
    for name in names:
        ex_id = exercise_of(name, others)
        if ex_id is not None:
            owner = course.assignment_of(ex_id)
            if owner is not None:
                found[name] = owner.id
    if not found:
        return ""
    named = sorted(found.items())[:3]
    listed = ", ".join(f"{name} is for assignment {aid!r}" for name, aid in named)
    first = named[0][1]
    return f"({listed}: grade it with --assignment {first}.)"


def _open(path: str | Path, course, *, workdir: str | Path, exercise: str | None, execute_all: bool,
          complete: bool, by_name: bool, label: str | None, assignment: str | None) -> Prepared:
    p, work = Path(path), Path(workdir)
    exercises = course.exercises(assignment)
    ids = [e.id for e in exercises]
    foreign = named_exercises(course, ids) if assignment is not None else []
    if exercise is not None:
        course.exercise(exercise)                 # a UsageError with a suggestion for unknown ids
        if exercise not in ids:
            raise UsageError(exercise_not_in(course, exercise, assignment))
    wanted = [exercise] if exercise else ids
    label = label or str(path)
    kind = safe_read.kind(p)
    if kind == "absent":
        raise SubmissionError(f"no such file or folder: {path}")
    if kind == "file" and p.suffix == ".zip":
        archive.extract(p, work / "unzipped")
        p, kind = work / "unzipped", "dir"
    elif p.is_dir():                              # the folder a student names may itself be a link
        kind = "dir"
    converted = work / "converted"
    converted.mkdir(parents=True, exist_ok=True)
    if kind == "dir":
        folder = find_folder(p, exercises)
        zips = [n for n, k in safe_read.entries(p) if k == "file" and n.endswith(".zip")]
        if folder is None and len(zips) == 1:        # an upload folder holding only the student's zip
            archive.extract(p / zips[0], work / "unzipped")
            folder = find_folder(work / "unzipped", exercises)
        if folder is None:
            raise SubmissionError(f"{label} holds no .py or .ipynb files, nor one folder holding them")
        sub = _folder_submission(folder, exercises, wanted=wanted, label=label, foreign=foreign)
        prepared = prepare(sub, exercises, execute_all=execute_all, workdir=converted)
        return _completed(prepared, ids if complete or exercise is None else wanted)
    if p.suffix not in (".py", ".ipynb"):
        raise SubmissionError(f"{p.name} is not a Python file, a notebook, a zip or a folder")
    safe_read.check(p)                            # never a file read through a link
    named = exercise_of(p.name, exercises) if by_name else None
    theirs = exercise_of(p.name, foreign) if by_name and not exercise and named is None and foreign else None
    if theirs is not None:
        owner = course.assignment_of(theirs)
        raise SubmissionError(f"{p.name} is the file of exercise {theirs!r}, which is in assignment "
                              f"{owner.id!r}, not {assignment!r}: grade it with --assignment {owner.id}")
    if p.suffix == ".ipynb":
        prepared = notebook_files(p, exercises, exercise=exercise or named, execute_all=execute_all,
                                  workdir=converted)
    else:
        check_source(p)
        if exercise or named:
            prepared = Prepared({exercise or named: p})
        else:
            names = defined_names(p)
            chosen = [e.id for e in exercises if names is None or names & e.entry_names]
            if not chosen:
                wanted_names = ", ".join(sorted(n for e in exercises for n in e.entry_names))
                raise SubmissionError(f"{p.name} defines none of the exercises' names ({wanted_names})."
                                      f"{_did_you_mean([p.name], exercises)}")
            prepared = Prepared({i: p for i in chosen})
    return _completed(prepared, ids if complete else [i for i in ids if i in prepared.files])


def _completed(prepared: Prepared, ids: list[str]) -> Prepared:
    """`prepared` with exactly these exercises, in course order (absent ones None)."""
    return replace(prepared, files={i: prepared.files.get(i) for i in ids})
