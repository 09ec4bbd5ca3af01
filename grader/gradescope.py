"""A Gradescope autograder built from this course, and the runner it calls.

`build_package` writes autograder.zip:
    setup.sh          installs Python and this project (editable) into /autograder/venv
    run_autograder    runs `python -m grader.gradescope run --root /autograder`
    source/           the grader, the exercises, the reference solutions and a config
                      file (timeout, hidden-seed salt): course staff only; students
                      never receive this zip

Gradescope runs one container per submission, so it is the engine that grades
a large class in parallel; this project does not schedule machines itself.

`run(root)` grades root/submission (a folder of exercise files, a folder
holding one such folder, or one .py with every class) twice: against the
reference with public and hidden cases (the score), and on the public cases
only (what the student also sees locally); it writes root/results/results.json
in Gradescope's format (`grader.platforms.gradescope`). The root is a
parameter so the runner can be tested on a folder laid out like /autograder.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

CONFIG = "autograder.json"

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
# AUTOGRADER_ROOT exists for testing on a folder laid out like /autograder.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt-get update -qq
    apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
python3 -m venv "$root/venv"
"$root/venv/bin/pip" install --quiet -e "$root/source"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; results go to /autograder/results/results.json.
# AUTOGRADER_ROOT and AUTOGRADER_PYTHON exist for testing on a folder laid out like /autograder.
root="${AUTOGRADER_ROOT:-/autograder}"
export GRADE_COURSE="$root/source"
exec "${AUTOGRADER_PYTHON:-$root/venv/bin/python}" -m grader.gradescope run --root "$root"
"""

_SKIP_DIRS = {"__pycache__", ".git", ".venv", "venv", ".pytest_cache"}


def _add_tree(zf: zipfile.ZipFile, folder: Path, arc_prefix: str) -> int:
    count = 0
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in _SKIP_DIRS or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file() and not path.name.endswith((".pyc", ".tmp")):
            info = zipfile.ZipInfo(f"{arc_prefix}/{rel.as_posix()}", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
            count += 1
    return count


def build_package(*, out: str | os.PathLike, course=None, timeout: float = 10.0, salt: str = "") -> Path:
    """Write the autograder zip; returns its path. Deterministic for the same inputs."""
    from grader.course import find_course
    from grader.errors import UsageError

    c = find_course(course)
    project = Path(__file__).resolve().parent.parent
    if not (project / "pyproject.toml").is_file():
        raise UsageError("the autograder is built from a checkout of the grader (pyproject.toml not found)")
    missing = [e.file for e in c.exercises() if not c.has_reference(e)]
    if missing:
        raise UsageError(f"the autograder needs the reference solutions; missing: {', '.join(missing)}")
    target = Path(out)
    tmp = target.with_name(target.name + ".tmp")

    def script(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o755 << 16
        return info

    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(script("setup.sh"), SETUP)
        zf.writestr(script("run_autograder"), RUN)
        for name in ("pyproject.toml", "README.md"):
            info = zipfile.ZipInfo(f"source/{name}", date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, (project / name).read_bytes())
        _add_tree(zf, project / "grader", "source/grader")
        _add_tree(zf, c.exercises_dir, "source/exercises")
        _add_tree(zf, c.reference_dir, "source/reference")
        cfg = zipfile.ZipInfo(f"source/{CONFIG}", date_time=(2020, 1, 1, 0, 0, 0))
        cfg.external_attr = 0o644 << 16
        zf.writestr(cfg, json.dumps({"timeout": float(timeout), "salt": salt}, indent=2) + "\n")
    os.replace(tmp, target)
    return target


def _entry(submission: Path, course, workdir: Path):
    """What a student uploaded, ready for the engine (a `grader.submission.Prepared`); links are refused.

    A folder of exercise files or <id>.ipynb notebooks (or a folder holding
    one such folder), or one .py file defining the exercises' classes.
    """
    from grader.errors import SubmissionError
    from grader.submission import Prepared, defined_names, exercise_folder, files_below, prepare, resolve

    files = {e.id: e.file for e in course.exercises()}
    folder = exercise_folder(submission, files)
    if folder is not None:
        return prepare(resolve(folder, files), course.exercises(), workdir=workdir)
    singles = files_below(submission, ".py")
    if len(singles) == 1:
        names = defined_names(singles[0])
        return Prepared({e.id: (singles[0] if names is None or names & e.entry_names else None)
                         for e in course.exercises()})
    raise SubmissionError(f"no exercise files ({', '.join(sorted(files.values()))}) found in the submission")


def run(root: str | os.PathLike) -> dict:
    """Grade root/submission and write root/results/results.json; returns the results."""
    from grader.course import find_course
    from grader.engine import Options, grade_files
    from grader.errors import GraderError
    from grader.neutral import markdown
    from grader.platforms import gradescope
    from grader.session import Limits

    started = time.monotonic()
    root = Path(root)
    course = find_course(os.environ.get("GRADE_COURSE") or None)
    cfg_path = course.root / CONFIG
    cfg = json.loads(cfg_path.read_text()) if cfg_path.is_file() else {}
    limits = Limits(timeout=float(cfg.get("timeout", 10.0)))
    allow_root = bool(cfg.get("allow_root", False))
    try:
        with tempfile.TemporaryDirectory(prefix="grade-gradescope-") as work:
            prepared = _entry(root / "submission", course, Path(work))
            report = prepared.finish(grade_files(
                course, prepared.files, label="submission", locate=prepared.locate, refused=prepared.refused,
                options=Options(limits=limits, mode="instructor", salt=str(cfg.get("salt", "")),
                                allow_root=allow_root)))
            public = prepared.finish(grade_files(
                course, prepared.files, label="submission", locate=prepared.locate, refused=prepared.refused,
                options=Options(limits=limits, mode="student", allow_root=allow_root)))
        results = gradescope(report, public, seconds=time.monotonic() - started)
    except GraderError as exc:
        results = {"score": 0.0, "execution_time": max(0, round(time.monotonic() - started)),
                   "output": f"The submission could not be graded: {markdown(exc.message)}", "output_format": "md",
                   "tests": []}
    out = root / "results"
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / "results.json.tmp"
    tmp.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, out / "results.json")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.gradescope")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="grade ROOT/submission into ROOT/results/results.json")
    r.add_argument("--root", default="/autograder")
    args = parser.parse_args(argv)
    run(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
