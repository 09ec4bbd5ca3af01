"""The student handout: the folder (or zip) a course gives its students, made by `grade handout`.

It holds what a student needs to work and to run `grade` themselves, and
nothing that only staff may see:

    pyproject.toml, README.md     install with `pip install -e .`, as the README says
    grader/                       the grader (the same code that grades officially)
    course.toml                   the course's assignments (when the course has the file)
    exercises/<id>/               statement, checks, public cases, notebook
    student_template/             the stubs

With an assignment (`grade handout --assignment ID`), only that assignment's
exercises and stubs go out, with a course.toml declaring that assignment
alone; without one, every exercise of the course.

Left out: `reference/` (the solutions, and `reference/mutants/`, which make
the known wrong answers), `examples/` (the bundled example is the solution
with a few planted mistakes), tests, benchmarks, CI files, autograder configs
(they hold the hidden cases' salt) and anything a course added that is not
listed above. Without `reference/`, `grade` runs in student mode: public
cases only, plus finite differences of the student's own forward. The hidden
cases are made at official grading from the exercises' generators and the
course's `--salt`, which never leaves staff machines.

`build_release` refuses to write into a folder that is not empty (unless it
is an earlier handout) and checks, after copying, that no solution block of
the reference made it into any file.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from grader.errors import UsageError

#: Top-level files and folders of the handout; everything else stays with staff.
INCLUDED = ("pyproject.toml", "README.md", "grader", "course.toml", "exercises", "student_template")
#: Folders never shipped, wherever they are found (caches, VCS, virtual environments).
_SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".venv", "venv", ".pytest_cache", ".ipynb_checkpoints"})
#: Files never shipped: the configs that hold the hidden cases' salt.
_SKIPPED_FILES = frozenset({"autograder.json", "prairielearn.json"})
_MARKER = ".grade-handout"
_SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def shipped_files(folder: Path) -> list[Path]:
    """The files below `folder` worth shipping, sorted: real files only, no caches, VCS folders, virtual
    environments, build metadata, compiled or temporary files, or salt configs. Used by the handout, the
    Gradescope zip and the PrairieLearn package alike."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in _SKIPPED_DIRS or part.endswith(".egg-info") for part in rel.parts):
            continue
        if (path.is_file() and not path.is_symlink() and path.name not in _SKIPPED_FILES
                and not path.name.endswith((".pyc", ".tmp"))):
            found.append(path)
    return found


def _code_lines(text: str) -> str:
    """Text reduced to its code lines: stripped, without blank and comment-only lines."""
    return "\n".join(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#"))


def solution_blocks(course) -> list[str]:
    """The solution blocks of the course's reference files, as code lines (blocks under 20 characters skipped).

    A block of one of `grade new`'s skeletons, left as it was written, is no secret: it ships with the grader
    (grader/authoring/scaffold.py), so it is skipped.
    """
    from grader.authoring.scaffold import skeleton_blocks

    public = set(skeleton_blocks())
    blocks = []
    for path in sorted(Path(course.reference_dir).rglob("*.py")):
        for block in _SOLUTION.findall(path.read_text(encoding="utf-8")):
            code = _code_lines(block)
            if len(code) >= 20 and code not in public:
                blocks.append(code)
    return blocks


def build_release(*, out: str | os.PathLike, course=None, assignment: str | None = None) -> Path:
    """Write the handout into `out` (a new or empty folder, or an earlier handout); returns it.

    assignment: hand out only that assignment's exercises (default: every exercise of the course)."""
    from grader.authoring.course import find_course

    c = find_course(course)
    chosen = c.assignment(assignment) if assignment is not None else None
    wanted = None if chosen is None else {
        "exercises": set(chosen.exercises),
        "student_template": {c.exercise(i).file for i in chosen.exercises}}
    project = Path(__file__).resolve().parents[2]
    target = Path(out)
    if target.exists():
        if not target.is_dir() or (any(target.iterdir()) and not (target / _MARKER).is_file()):
            raise UsageError(f"{target} exists and is not an earlier handout; give a new or empty folder")
        shutil.rmtree(target)
    sources = {"pyproject.toml": project / "pyproject.toml", "README.md": project / "README.md",
               "grader": project / "grader", "course.toml": c.course_file, "exercises": c.exercises_dir,
               "student_template": c.root / "student_template"}
    missing = [name for name in ("pyproject.toml", "grader", "exercises", "student_template")
               if not sources[name].exists()]
    if missing:
        raise UsageError(f"the handout needs {', '.join(missing)}; run `grade build` in a checkout of the course")
    target.mkdir(parents=True)
    for name in INCLUDED:
        src = sources[name]
        if name == "course.toml" and chosen is not None and src.is_file():
            (target / name).write_text(c.course_file_for(chosen.id), encoding="utf-8")
        elif src.is_file():
            shutil.copy2(src, target / name)
        for path in shipped_files(src) if src.is_dir() else ():
            if wanted is not None and name in wanted and path.relative_to(src).parts[0] not in wanted[name]:
                continue
            dest = target / name / path.relative_to(src)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
    leaked = _leaks(target, solution_blocks(c))
    if leaked:
        shutil.rmtree(target)
        raise UsageError(f"a solution block of reference/ was found in {', '.join(leaked[:5])}; the handout was "
                         f"not written (is a solution copied into student_template/ or exercises/?)")
    (target / _MARKER).write_text("made by `grade handout`; safe to replace with a newer handout\n")
    return target


def _leaks(folder: Path, blocks: list[str]) -> list[str]:
    """Files under `folder` holding one of the solution blocks (notebooks: their cells' code)."""
    import json

    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in (".py", ".ipynb", ".md", ".json", ".txt"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            try:
                cells = json.loads(text).get("cells", [])
                text = "\n".join("".join(c.get("source", "")) for c in cells if isinstance(c, dict))
            except (ValueError, AttributeError):
                pass
        code = _code_lines(text)
        if any(block in code for block in blocks):
            found.append(path.relative_to(folder).as_posix())
    return found
