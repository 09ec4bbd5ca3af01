"""A submission's files, and notebooks made into modules for the engine.

Which files a submission path holds is decided in `grader.submissions.intake`, the one
way in for every entry point; this module holds what it builds on:
`Submission` (exercise id → file, refused files, notes), the source
checks, the names a source defines (read with ast, nothing runs), and
`prepare` / `notebook_files`, which convert notebooks with
`grader.submissions.conversion` into modules in a work folder (`Prepared`).

Files are read with `grader.submissions.safe_read`: a symbolic link, a hard link to a
file outside the submission, or a special file is never read. An exercise
file that is one is refused (`Submission.refused`): that exercise scores 0
with the reason, and the others are graded. A helper module that is one is
left out of the worker, with a note.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from grader.submissions import safe_read
from grader.submissions.conversion import parse
from grader.errors import SubmissionError

#: Largest source file accepted, in bytes.
MAX_SOURCE_BYTES = 2 << 20


@dataclass(frozen=True)
class Submission:
    """Exercise id → the file to grade (None when absent), and a label for reports.

    refused: exercise id → why its file was not read (a link, a special
    file); notes: lines for the report (helper modules left out).
    """

    label: str
    files: Mapping[str, Path | None]
    refused: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def check_source(path: Path, root: Path | None = None) -> None:
    """Read a source file as the grader will (no links, capped) and refuse binary data."""
    head = safe_read.read_bytes(path, limit=MAX_SOURCE_BYTES, root=root)
    if b"\x00" in head:
        raise SubmissionError(f"{path.name} is not a Python source file (it contains binary data)")


def left_out_helpers(folder: Path) -> tuple[str, ...]:
    """Notes for the .py files of `folder` that the worker will not get because they are not real files."""
    return tuple(f"{name} was left out: it is a symbolic link or a special file, and the grader reads only real "
                 f"files" for name, k in safe_read.entries(folder) if name.endswith(".py") and k in ("link", "other"))


def defined_names_in(source: str | bytes) -> set[str] | None:
    """Top-level class and function names of Python source, read with ast (nothing runs).

    None when the source does not parse: grading it then reports the syntax error.
    """
    tree = parse(source)
    if isinstance(tree, str):
        return None
    return {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))}


def defined_names(path: Path) -> set[str] | None:
    """defined_names_in for a file (None if it cannot be read or parsed)."""
    try:
        return defined_names_in(safe_read.read_bytes(path, limit=MAX_SOURCE_BYTES))
    except SubmissionError:
        return None


@dataclass(frozen=True)
class Prepared:
    """Files ready for the engine, with notebooks converted to modules.

    files: {exercise id: .py file or generated module, or None}; notes: what
    each conversion kept and dropped, for the report; locators: map
    traceback frames of generated modules back to cells; names: the file
    name the report shows for an exercise graded from a notebook; refused:
    {exercise id: why its file was not read} (see `Submission.refused`).
    """

    files: Mapping[str, Path | None]
    notes: tuple[str, ...] = ()
    locators: tuple[Callable[[str, int], tuple[str, int] | None], ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    refused: Mapping[str, str] = field(default_factory=dict)

    def locate(self, file: str, line: int) -> tuple[str, int] | None:
        """A grader.judging.values.Locate over every converted notebook."""
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
            checks = tuple(replace(c, message=renamed(c.message, old, new), cause=renamed(c.cause, old, new))
                           for c in e.checks)
            return replace(e, file=new, message=renamed(e.message, old, new), checks=checks)

        exercises = tuple(from_notebook(e) if e.id in self.names and e.file else e for e in report.exercises)
        return replace(report, exercises=exercises, notes=report.notes + self.notes)


def notebook_files(path: str | Path, exercises, *, exercise: str | None = None, execute_all: bool = False,
                   workdir: str | Path) -> Prepared:
    """Convert one submitted notebook into a module in workdir, for the exercises it holds.

    exercises: the course's Exercise objects. The notebook is graded for
    `exercise` if given (`grader.submissions.intake` passes the exercise a notebook is
    named for), else for every exercise whose classes or functions it
    defines. Only the chosen exercises are in `files`.
    """
    from grader.submissions.conversion import definitions, execute_all as run_everything, read_notebook

    p = Path(path)
    cells = read_notebook(p)
    defs = definitions(cells)
    conv = run_everything(cells) if execute_all else defs
    if exercise:
        chosen = [exercise]
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


def prepare(submission: Submission, exercises, *, execute_all: bool = False, workdir: str | Path) -> Prepared:
    """Convert the notebooks among a submission's files (`<id>.ipynb` in a folder); .py files pass through."""
    files = submission.files
    out: dict[str, Path | None] = dict(files)
    notes, locators, names = list(submission.notes), [], {}
    for ex_id, path in files.items():
        if path is not None and path.suffix == ".ipynb":
            folder = Path(workdir) / ex_id
            folder.mkdir(parents=True, exist_ok=True)
            one = notebook_files(path, exercises, exercise=ex_id, execute_all=execute_all, workdir=folder)
            out[ex_id] = one.files[ex_id]
            notes += one.notes
            locators += one.locators
            names.update(one.names)
    return Prepared(out, tuple(notes), tuple(locators), names, dict(submission.refused))
