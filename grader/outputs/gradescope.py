"""A Gradescope autograder built from this course, and the runner it calls.

Gradescope's contract (its autograder specification, "Autograder
Specifications" at https://gradescope-autograders.readthedocs.io/en/latest/specs/,
docs/specs.md in github.com/gradescope/autograder_samples):
- the zip holds `setup.sh` and `run_autograder` at its root, and is
  extracted into /autograder/source when the image is built;
- `setup.sh` runs once then (Ubuntu image, as root, with network);
- `run_autograder` is copied to /autograder/run_autograder and runs for each
  submission, with the student's files in /autograder/submission and the
  working directory /autograder; it must write /autograder/results/results.json.

`build_package` writes the zip with this project at its root:
    setup.sh          installs Python if needed and this project (editable) into /autograder/venv
    run_autograder    runs `python -m grader.outputs.gradescope run --root /autograder`
    pyproject.toml, README.md, grader/, course.toml, exercises/, reference/,
    autograder.json (the assignment, timeout, hidden-seed salt)
One zip grades one assignment of the course (course.toml; default: the
first), with that assignment's total. The zip holds the reference solutions:
course staff only.
Both scripts find /autograder from where they lie (setup.sh in
/autograder/source, run_autograder in /autograder), so a test lays out a
temporary root exactly the same way.

`run(root)` reads root/submission through `grader.submissions.intake` (the same rules as
`grade` and `grade batch`) and grades it twice: on the public cases only
(what the student also sees locally) and against the reference with public
and hidden cases (the score). An exercise that timed out on the public
cases is not run again: it would only time out again. It writes
root/results/results.json in Gradescope's format (`grader.outputs.platforms.gradescope`).
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
# Gradescope runs this once, as root with network, when it builds the autograder image,
# after extracting the autograder zip into /autograder/source (this script's folder).
set -euo pipefail
source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$source_dir")"
if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
fi
python3 -m venv "$root/venv"
"$root/venv/bin/pip" install --quiet --disable-pip-version-check -e "$source_dir"
"""

RUN = """#!/usr/bin/env bash
# Gradescope copies this to /autograder/run_autograder and runs it for every submission
# (/autograder/submission); results go to /autograder/results/results.json.
# AUTOGRADER_PYTHON exists only for tests that run it without setup.sh's venv.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export GRADE_COURSE="$root/source"
exec "${AUTOGRADER_PYTHON:-$root/venv/bin/python}" -m grader.outputs.gradescope run --root "$root"
"""

def _add_tree(zf: zipfile.ZipFile, folder: Path, arc_prefix: str) -> int:
    """Add the files of `folder` worth shipping (`grader.authoring.release.shipped_files`) under arc_prefix/."""
    from grader.authoring.release import shipped_files

    files = shipped_files(folder)
    for path in files:
        name = f"{arc_prefix}/{path.relative_to(folder).as_posix()}"
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, path.read_bytes())
    return len(files)


def build_package(*, out: str | os.PathLike, course=None, timeout: float = 10.0, salt: str = "",
                  assignment: str | None = None) -> Path:
    """Write the autograder zip grading one assignment (default: the course's default); returns its path.
    Deterministic for the same inputs."""
    from grader.authoring.course import COURSE_FILE, find_course
    from grader.errors import UsageError

    c = find_course(course)
    chosen = c.assignment(assignment)
    project = Path(__file__).resolve().parents[2]
    if not (project / "pyproject.toml").is_file():
        raise UsageError("the autograder is built from a checkout of the grader (pyproject.toml not found)")
    missing = [e.file for e in c.exercises(chosen.id) if not c.has_reference(e)]
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
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, (project / name).read_bytes())
        _add_tree(zf, project / "grader", "grader")
        if c.course_file.is_file():
            info = zipfile.ZipInfo(COURSE_FILE, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, c.course_file.read_bytes())
        _add_tree(zf, c.exercises_dir, "exercises")
        _add_tree(zf, c.reference_dir, "reference")
        cfg = zipfile.ZipInfo(CONFIG, date_time=(2020, 1, 1, 0, 0, 0))
        cfg.external_attr = 0o644 << 16
        zf.writestr(cfg, json.dumps({"assignment": chosen.id, "timeout": float(timeout), "salt": salt},
                                    indent=2) + "\n")
    os.replace(tmp, target)
    return target


def grade_submission(submission: Path, course, *, timeout: float, salt: str, allow_root: bool, workdir: Path,
                     assignment: str | None = None):
    """(graded report, public-cases report) of a submission folder; raises GraderError if it cannot be read.

    assignment: the assignment graded (default: the course's default assignment).

    The public run comes first; exercises that timed out there are not run
    again against the hidden cases (their score is 0 either way), so a
    hanging submission costs one timeout, not two.
    """
    from dataclasses import replace

    from grader.judging.engine import Options, grade_files
    from grader.submissions.intake import open_submission
    from grader.isolation.session import Limits

    chosen = course.assignment(assignment).id
    prepared = open_submission(submission, course, workdir=workdir, complete=True, label="submission",
                               assignment=chosen)
    limits = Limits(timeout=timeout)

    def graded(files, mode, salt_=""):
        return prepared.finish(grade_files(course, files, label="submission", locate=prepared.locate,
                                           refused=prepared.refused, assignment=chosen,
                                           options=Options(limits=limits, mode=mode, salt=salt_,
                                                           allow_root=allow_root)))

    public = graded(prepared.files, "student")
    hung = {e.id: e for e in public.exercises if e.status == "timeout"}
    report = graded({i: (None if i in hung else f) for i, f in prepared.files.items()}, "instructor", salt)
    if hung:
        report = replace(report, exercises=tuple(hung.get(e.id, e) for e in report.exercises))
    return report, public


def run(root: str | os.PathLike) -> dict:
    """Grade root/submission and write root/results/results.json; returns the results."""
    from grader.authoring.course import find_course
    from grader.errors import GraderError
    from grader.outputs.neutral import markdown
    from grader.outputs.platforms import gradescope

    started = time.monotonic()
    root = Path(root)
    course = find_course(os.environ.get("GRADE_COURSE") or None)
    cfg_path = course.root / CONFIG
    cfg = json.loads(cfg_path.read_text()) if cfg_path.is_file() else {}
    try:
        with tempfile.TemporaryDirectory(prefix="grade-gradescope-") as work:
            report, public = grade_submission(root / "submission", course, timeout=float(cfg.get("timeout", 10.0)),
                                              salt=str(cfg.get("salt", "")),
                                              allow_root=bool(cfg.get("allow_root", False)), workdir=Path(work),
                                              assignment=cfg.get("assignment"))
        results = gradescope(report, public, seconds=time.monotonic() - started)
    except GraderError as exc:
        results = _ungraded(f"The submission could not be graded: {markdown(exc.message)}", started)
    except Exception:  # noqa: BLE001 - the student gets a result; the traceback goes to the staff-only stdout
        import traceback

        traceback.print_exc(file=sys.stdout)
        results = _ungraded("The grader failed on this submission; your course staff can see why in the "
                            "autograder's output.", started)
    from grader.outputs import atomic

    atomic.write_json(root / "results" / "results.json", results, mkdir=True)
    return results


def _ungraded(message: str, started: float) -> dict:
    """results.json for a submission that could not be graded: 0 points, the reason, visible at once."""
    return {"score": 0.0, "execution_time": max(0, round(time.monotonic() - started)), "output": message,
            "output_format": "md", "stdout_visibility": "hidden", "tests": []}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.outputs.gradescope")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="grade ROOT/submission into ROOT/results/results.json")
    r.add_argument("--root", default="/autograder")
    args = parser.parse_args(argv)
    run(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
