"""What a submission path holds: which exercise files, found where.

A submission is either
- a folder holding any of the exercise files (fc.py, relu.py, ...), or
  notebooks named after the exercises (fc.ipynb, ...) where the .py is
  absent: every exercise is graded, and an absent file scores 0 with status
  "missing"; or
- a single `<id>.py`: that exercise alone; or
- a notebook (`notebook_files`), graded for `<id>.ipynb`'s exercise, or for
  every exercise whose classes it defines.
Notebooks are converted to modules before grading (`prepare`, using
`grader.conversion`).
`exercise` narrows either form to one exercise (and lets a single file have
any name). Anything unreadable is a SubmissionError, reported in one line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from grader.errors import SubmissionError

#: Largest source file accepted, in bytes.
MAX_SOURCE_BYTES = 2 << 20


@dataclass(frozen=True)
class Submission:
    """Exercise id → the file to grade (None when absent), and a label for reports."""

    label: str
    files: Mapping[str, Path | None]


def _check_source(path: Path) -> None:
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(min(size, MAX_SOURCE_BYTES) + 1)
    except OSError as exc:
        raise SubmissionError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > MAX_SOURCE_BYTES:
        raise SubmissionError(f"{path} is {size // 1024} KiB; a source file over {MAX_SOURCE_BYTES >> 20} MiB "
                              f"is not accepted")
    if b"\x00" in head:
        raise SubmissionError(f"{path} is not a Python source file (it contains binary data)")


def resolve(path: str | Path, exercise_files: Mapping[str, str], *, exercise: str | None = None) -> Submission:
    """Map a submission path to exercise files.

    exercise_files: {exercise id: file name}, e.g. {"fc": "fc.py"}.
    """
    p = Path(path)
    if not p.exists():
        raise SubmissionError(f"no such file or folder: {path}")
    if exercise is not None and exercise not in exercise_files:
        raise SubmissionError(f"unknown exercise {exercise!r}")
    wanted = [exercise] if exercise else list(exercise_files)
    if p.is_dir():
        files: dict[str, Path | None] = {}
        for ex_id in wanted:
            candidate = p / exercise_files[ex_id]
            notebook = p / f"{ex_id}.ipynb"
            if candidate.is_file():
                _check_source(candidate)
                files[ex_id] = candidate
            elif notebook.is_file():
                files[ex_id] = notebook         # converted by `prepare`
            else:
                files[ex_id] = None
        if not any(files.values()) and exercise is None:
            names = ", ".join(exercise_files[i] for i in wanted)
            raise SubmissionError(f"{path} holds none of the exercise files ({names}, or <id>.ipynb notebooks)")
        return Submission(str(path), files)
    if p.suffix != ".py":
        raise SubmissionError(f"{path} is not a Python file; give a folder or an exercise's .py file")
    if exercise is None:
        by_file = {name: ex_id for ex_id, name in exercise_files.items()}
        if p.name not in by_file:
            names = ", ".join(sorted(exercise_files.values()))
            raise SubmissionError(f"{p.name} is not an exercise file ({names}); rename it or pass --exercise ID")
        exercise = by_file[p.name]
    _check_source(p)
    return Submission(str(path), {exercise: p})


def defined_names_in(source: str | bytes) -> set[str] | None:
    """Top-level class and function names of Python source, read with ast (nothing runs).

    None when the source does not parse: grading it then reports the syntax error.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    return {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))}


def defined_names(path: Path) -> set[str] | None:
    """defined_names_in for a file (None if it cannot be read or parsed)."""
    try:
        return defined_names_in(Path(path).read_bytes())
    except OSError:
        return None


@dataclass(frozen=True)
class Prepared:
    """Files ready for the engine, with notebooks converted to modules.

    files: {exercise id: .py file or generated module, or None}; notes: what
    each conversion kept and dropped, for the report; locators: map
    traceback frames of generated modules back to cells; names: the file
    name the report shows for an exercise graded from a notebook.
    """

    files: Mapping[str, Path | None]
    notes: tuple[str, ...] = ()
    locators: tuple[Callable[[str, int], tuple[str, int] | None], ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)

    def locate(self, file: str, line: int) -> tuple[str, int] | None:
        """A grader.values.Locate over every converted notebook."""
        for locator in self.locators:
            found = locator(file, line)
            if found is not None:
                return found
        return None

    def finish(self, report):
        """The report with the notes added and exercises graded from a notebook named after it.

        Messages that start with the converted module's name ("fc.py could
        not be loaded: ...") name the notebook instead.
        """
        from dataclasses import replace

        def renamed(text: str, old: str, new: str) -> str:
            return new + text[len(old):] if text.startswith(old + " ") else text

        def from_notebook(e):
            old, new = e.file, self.names[e.id]
            checks = tuple(replace(c, message=renamed(c.message, old, new)) for c in e.checks)
            return replace(e, file=new, message=renamed(e.message, old, new), checks=checks)

        exercises = tuple(from_notebook(e) if e.id in self.names and e.file else e for e in report.exercises)
        return replace(report, exercises=exercises, notes=report.notes + self.notes)


def notebook_files(path: str | Path, exercises, *, exercise: str | None = None, execute_all: bool = False,
                   workdir: str | Path, by_name: bool = True) -> Prepared:
    """Convert one submitted notebook into a module in workdir, for the exercises it holds.

    exercises: the course's Exercise objects. The notebook is graded for
    `exercise` if given, else for the exercise it is named after
    (`relu.ipynb`, when by_name), else for every exercise whose classes or
    functions it defines. Only the chosen exercises are in `files`.
    """
    from grader.conversion import definitions, execute_all as run_everything, read_notebook

    p = Path(path)
    by_id = {e.id: e for e in exercises}
    cells = read_notebook(p)
    defs = definitions(cells)
    conv = run_everything(cells) if execute_all else defs
    named = p.stem if by_name and p.stem in by_id else None
    if exercise or named:
        chosen = [exercise or named]
    else:
        names = defined_names_in(defs.source) or set()
        chosen = [e.id for e in exercises if names & e.entry_names]
        if not chosen:
            wanted = ", ".join(sorted(n for e in exercises for n in e.entry_names))
            raise SubmissionError(f"{p.name} defines none of the exercises' names ({wanted})")
    module = Path(workdir) / f"{chosen[0] if len(chosen) == 1 else 'notebook'}.py"
    module.write_text(conv.source, encoding="utf-8")
    notes = tuple(f"notebook {p.name}: {line}" for line in conv.summary())
    return Prepared({i: module for i in chosen}, notes, (conv.locator(module.name),), {i: p.name for i in chosen})


def prepare(files: Mapping[str, Path | None], exercises, *, execute_all: bool = False,
            workdir: str | Path) -> Prepared:
    """Convert the notebooks among a submission's files (`<id>.ipynb` in a folder); .py files pass through."""
    out: dict[str, Path | None] = dict(files)
    notes, locators, names = [], [], {}
    for ex_id, path in files.items():
        if path is not None and path.suffix == ".ipynb":
            folder = Path(workdir) / ex_id
            folder.mkdir(parents=True, exist_ok=True)
            one = notebook_files(path, exercises, exercise=ex_id, execute_all=execute_all, workdir=folder)
            out[ex_id] = one.files[ex_id]
            notes += one.notes
            locators += one.locators
            names.update(one.names)
    return Prepared(out, tuple(notes), tuple(locators), names)
