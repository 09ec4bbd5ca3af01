"""Shared test helpers: the course under test, submissions built from its reference, and grading them.

The course is `grader.authoring.course.find_course()`: the course bundled with this
repository, or the folder named by GRADE_COURSE. Course-generic tests (marked
`course`) read exercises, checks, points and totals from it (`COURSE`,
`EXERCISES`, `course_total`, `exercise_points`, ...) and never name an
exercise, so they pass on any valid course folder, for example a copy of this
one with an exercise added. Tests about one bundled exercise's behaviour name
it and carry `needs(...)`, which skips them on a course without it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from grader import api
from grader.authoring.course import find_course

#: This repository: the grader package, the bundled example submission, the tests and their corpora.
ROOT = Path(__file__).resolve().parent.parent
#: The course under test (GRADE_COURSE, else the course bundled here).
COURSE = find_course()
REFERENCE = COURSE.reference_dir
TEMPLATE = COURSE.template_dir
#: Every exercise of the course, in teaching order: {id: Exercise}.
EXERCISES = {e.id: e for e in COURSE.exercises()}
EXERCISE_FILES = {i: e.file for i, e in EXERCISES.items()}
#: The course's assignments, the default first.
ASSIGNMENTS = COURSE.assignments()
#: The bundled example submission: typical mistakes in the bundled exercises fc, relu, scanning_mlp, logistic.
BUGGY = ROOT / "examples" / "buggy_submission"
BUNDLED = ("fc", "relu", "scanning_mlp", "logistic")


def assignment_ids(assignment: str | None = None) -> list[str]:
    """The exercise ids of an assignment (default: the course's default one), in teaching order."""
    return COURSE.exercise_ids(COURSE.assignment(assignment).id)


def exercise_points(exercise_id: str) -> float:
    """An exercise's points: the sum of its checks' points as declared in its checks.py."""
    return float(sum(c.points for c in EXERCISES[exercise_id].checks))


def course_total(assignment: str | None = None) -> float:
    """An assignment's total (default: the default assignment's), from the checks' declared points."""
    return sum(exercise_points(i) for i in assignment_ids(assignment))


def check_ids(assignment: str | None = None) -> list[str]:
    """The check ids of an assignment's exercises, in report order."""
    return [c.id for i in assignment_ids(assignment) for c in EXERCISES[i].checks]


def has(*exercise_ids: str) -> bool:
    """Does the course under test have all these exercises?"""
    return all(i in EXERCISES for i in exercise_ids)


def needs(*exercise_ids: str):
    """Skip (with the reason) a test or module about these bundled exercises on a course that lacks one."""
    missing = [i for i in exercise_ids if i not in EXERCISES]
    return pytest.mark.skipif(bool(missing), reason=f"the course under test has no exercise "
                                                    f"{', '.join(missing)}")


#: Tests that grade the bundled example submission need the exercises it was written for.
needs_bundled = needs(*BUNDLED)


def require(*exercise_ids: str) -> None:
    """Inside a test: skip it, with the reason, when the course lacks one of these exercises."""
    missing = [i for i in exercise_ids if i not in EXERCISES]
    if missing:
        pytest.skip(f"the course under test has no exercise {', '.join(missing)}")


def default_pair() -> tuple[str, str]:
    """The first two exercises of the default assignment (skips a test on a course with fewer)."""
    ids = assignment_ids()
    if len(ids) < 2:
        pytest.skip("the default assignment has fewer than two exercises")
    return ids[0], ids[1]


def lms_grade(score: float, max_score: float, points: float) -> str:
    """What an LMS file should hold for this score: scaled, rounded half up to 2 decimals, no trailing zeros."""
    from decimal import ROUND_HALF_UP, Decimal

    value = Decimal(repr(float(score))) * Decimal(repr(float(points))) / Decimal(repr(float(max_score)))
    text = format(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@pytest.fixture
def course():
    """The course under test (`grader.authoring.course.Course`)."""
    return COURSE

#: The head of an fc submission: imports and a Linear whose methods an attack test appends.
LINEAR_HEAD = "import numpy as np\n\n\nclass Linear:\n    def __init__(self, W, b):\n        self.W, self.b = W, b\n\n"


def reference_source(exercise_id: str) -> str:
    """The reference solution of an exercise (in a test: skips it when the course has no such exercise)."""
    require(exercise_id)
    return (REFERENCE / EXERCISE_FILES[exercise_id]).read_text(encoding="utf-8")


def patch(source: str, old: str, new: str) -> str:
    """Replace `old` by `new`; `old` must occur exactly once (so a stale patch fails loudly)."""
    count = source.count(old)
    if count != 1:
        raise AssertionError(f"patch target occurs {count} times, expected once:\n{old}")
    return source.replace(old, new)


def write_submission(folder: Path, sources: dict[str, str]) -> Path:
    """Write {exercise id: source} as a submission folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    require(*sources)
    for ex_id, text in sources.items():
        (folder / EXERCISE_FILES[ex_id]).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def grade_sources(tmp_path):
    """grade_sources({"fc": source, ...}, **grade_kwargs) -> Report, graded from a fresh folder."""
    counter = {"n": 0}

    def run(sources: dict[str, str], **kwargs):
        counter["n"] += 1
        folder = write_submission(tmp_path / f"submission{counter['n']}", sources)
        return api.grade(folder, **kwargs)

    return run


def checks_by_id(report) -> dict:
    return {c.id: c for e in report.exercises for c in e.checks}


def failing_ids(report) -> set[str]:
    return {c.id for e in report.exercises for c in e.checks if not c.passed}


def write_notebook(path: Path, cells: list, *, language: str = "python", outputs: dict | None = None) -> Path:
    """Write an nbformat-4 notebook; cells are code strings, ("markdown", text) or (code, [tags]).

    outputs: {cell position: list of output dicts} stored in the file (graders must ignore them).
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    made = []
    for k, cell in enumerate(cells):
        if isinstance(cell, tuple) and cell[0] == "markdown":
            made.append(new_markdown_cell(cell[1], id=f"m{k}"))
            continue
        code, tags = (cell, []) if isinstance(cell, str) else cell
        c = new_code_cell(code, id=f"c{k}")
        if tags:
            c.metadata["tags"] = list(tags)
        if outputs and k in outputs:
            c.outputs = [nbformat.from_dict(o) for o in outputs[k]]
        made.append(c)
    nb = new_notebook(cells=made, metadata={"kernelspec": {"name": "python3", "language": language,
                                                           "display_name": language}})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def split_cells(source: str) -> list[str]:
    """A module's source cut into notebook cells: one per top-level statement (docstring dropped)."""
    import ast

    tree = ast.parse(source)
    lines = source.splitlines()
    cells = []
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        cells.append("\n".join(lines[first - 1:node.end_lineno]))
    return cells


def verdicts(report) -> list:
    """A report's exercises (a Report or its JSON) without what names the source: file and frames.

    So code graded from a notebook and from a .py file can be compared verdict for verdict.
    """
    doc = report if isinstance(report, dict) else report.to_dict()
    exercises = json.loads(json.dumps(doc["exercises"]))
    for ex in exercises:
        ex.pop("file")
        for check in ex["checks"]:
            check.pop("frames", None)
    return exercises


def frames_per_check(report) -> list[list[dict]]:
    """The traceback frames of every check of a Report, in order, as JSON."""
    return [c.get("frames", []) for ex in report.to_dict()["exercises"] for c in ex["checks"]]


def lingering() -> list[str]:
    """Live (non-zombie) worker or fork-server processes started from this interpreter."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        mine = cmd.startswith(sys.executable + " ")
        if state != "Z" and mine and ("grader.isolation.worker" in cmd or "grader.isolation.zygote" in cmd):
            found.append(f"{entry}: {cmd[:80]}")
    return found


def zipped(path: Path, members: list[tuple[str, bytes]], *, corrupt: bool = False, encrypted: bool = False) -> Path:
    """Write a zip of (name, bytes) members, stored uncompressed.

    corrupt: the first member's first byte is changed after its CRC was
    written; encrypted: every entry gets the "encrypted" flag bit.
    """
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)
    raw = bytearray(path.read_bytes())
    if encrypted:
        for sig in (b"PK\x03\x04", b"PK\x01\x02"):
            at = raw.find(sig)
            while at >= 0:
                flags = at + (6 if sig == b"PK\x03\x04" else 8)
                raw[flags] |= 0x01
                at = raw.find(sig, at + 4)
    if corrupt:
        at = raw.find(members[0][1])
        raw[at] ^= 0x20
    path.write_bytes(bytes(raw))
    return path


def gradescope_layout(zip_path: Path, root: Path) -> Path:
    """Lay an autograder zip out the way Gradescope does (its "Autograder Specifications").

    The zip is extracted into root/source, and run_autograder is copied to
    root/run_autograder; returns root. setup.sh is then run from root/source.
    """
    import shutil
    import zipfile

    source = root / "source"
    source.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(source)
    shutil.copy(source / "run_autograder", root / "run_autograder")
    for script in (source / "setup.sh", root / "run_autograder"):
        script.chmod(0o755)
    return root


def run_autograder(root: Path, files: list[Path], *, python: str | None = None, timeout: float = 180) -> dict:
    """Put `files` in root/submission (as Gradescope does), run root/run_autograder from root, return results.json.

    python: run with this interpreter instead of the venv setup.sh made (AUTOGRADER_PYTHON).
    """
    import shutil
    import subprocess

    sub = root / "submission"
    shutil.rmtree(sub, ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    sub.mkdir()
    for f in files:                                  # links stay links, as in a git-cloned submission
        if f.is_dir():
            shutil.copytree(f, sub / f.name, symlinks=True)
        else:
            shutil.copy(f, sub / f.name, follow_symlinks=False)
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_PYTHON", "GRADE_COURSE")}
    if python:
        env["AUTOGRADER_PYTHON"] = python
    proc = subprocess.run([str(root / "run_autograder")], env=env, cwd=root, capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"run_autograder exited with {proc.returncode}: {proc.stderr[-2000:]}")
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
