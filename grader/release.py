"""The student handout: the folder (or zip) a course gives its students, made by `grade handout`.

It holds what a student needs to work and to run `grade` themselves, and
nothing that only staff may see:

    pyproject.toml, README.md     install with `pip install -e .`, as the README says
    grader/                       the grader (the same code that grades officially)
    exercises/<id>/               statement, checks, public cases, notebook
    student_template/             the stubs

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
INCLUDED = ("pyproject.toml", "README.md", "grader", "exercises", "student_template")
#: Never copied, wherever they are found.
_SKIPPED_NAMES = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", "autograder.json", "prairielearn.json"}
_MARKER = ".grade-handout"
_SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def _ignore(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in _SKIPPED_NAMES or n.endswith((".pyc", ".tmp")) or n.endswith(".egg-info")}


def _code_lines(text: str) -> str:
    """Text reduced to its code lines: stripped, without blank and comment-only lines."""
    return "\n".join(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#"))


def solution_blocks(course) -> list[str]:
    """The solution blocks of the course's reference files, as code lines (blocks under 20 characters skipped)."""
    blocks = []
    for path in sorted(Path(course.reference_dir).rglob("*.py")):
        for block in _SOLUTION.findall(path.read_text(encoding="utf-8")):
            code = _code_lines(block)
            if len(code) >= 20:
                blocks.append(code)
    return blocks


def build_release(*, out: str | os.PathLike, course=None) -> Path:
    """Write the handout into `out` (a new or empty folder, or an earlier handout); returns it."""
    from grader.course import find_course

    c = find_course(course)
    project = Path(__file__).resolve().parent.parent
    target = Path(out)
    if target.exists():
        if not target.is_dir() or (any(target.iterdir()) and not (target / _MARKER).is_file()):
            raise UsageError(f"{target} exists and is not an earlier handout; give a new or empty folder")
        shutil.rmtree(target)
    sources = {"pyproject.toml": project / "pyproject.toml", "README.md": project / "README.md",
               "grader": project / "grader", "exercises": c.exercises_dir,
               "student_template": c.root / "student_template"}
    missing = [name for name in ("pyproject.toml", "grader", "exercises", "student_template")
               if not sources[name].exists()]
    if missing:
        raise UsageError(f"the handout needs {', '.join(missing)}; run `grade build` in a checkout of the course")
    target.mkdir(parents=True)
    for name in INCLUDED:
        src = sources[name]
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=_ignore, symlinks=False)
        elif src.is_file():
            shutil.copy2(src, target / name)
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
