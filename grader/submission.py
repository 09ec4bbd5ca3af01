"""What a submission path holds: which exercise files, found where.

A submission is either
- a folder holding any of the exercise files (fc.py, relu.py, ...): every
  exercise is graded, and an absent file scores 0 with status "missing"; or
- a single `<id>.py`: that exercise alone.
`exercise` narrows either form to one exercise (and lets a single file have
any name). Anything unreadable is a SubmissionError, reported in one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

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
            if candidate.is_file():
                _check_source(candidate)
                files[ex_id] = candidate
            else:
                files[ex_id] = None
        if not any(files.values()) and exercise is None:
            names = ", ".join(exercise_files[i] for i in wanted)
            raise SubmissionError(f"{path} holds none of the exercise files ({names})")
        return Submission(str(path), files)
    if p.suffix == ".ipynb":
        raise SubmissionError(f"{path} is a notebook; notebook submissions are not supported by this version "
                              f"of the grader yet: export it as a .py file")
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


def defined_names(path: Path) -> set[str] | None:
    """Top-level class and function names of a source file, read with ast (nothing runs).

    None when the file does not parse: grading it then reports the syntax error.
    """
    import ast

    try:
        tree = ast.parse(Path(path).read_bytes())
    except (SyntaxError, ValueError, OSError):
        return None
    return {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
