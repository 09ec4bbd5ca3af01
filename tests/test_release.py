"""Questions about the student handout (grader.release, `grade handout`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from grader import api
from grader.course import find_course
from grader.errors import UsageError
from grader.release import solution_blocks

from conftest import ROOT

BUGGY = ROOT / "examples" / "buggy_submission"


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    return api.handout(out=tmp_path_factory.mktemp("release") / "handout")


def test_does_the_handout_hold_no_staff_only_file(handout):
    names = {p.relative_to(handout).as_posix() for p in handout.rglob("*")}
    assert {"grader/engine.py", "exercises/fc/public_cases.json", "exercises/fc/fc.ipynb",
            "student_template/fc.py", "pyproject.toml", "README.md"} <= names
    staff = [n for n in names if n.split("/")[0] in ("reference", "tests", "bench", "examples", ".ci", ".git")
             or n.endswith(("autograder.json", "prairielearn.json")) or "__pycache__" in n]
    assert staff == []


def test_is_no_solution_block_of_the_reference_in_any_file(handout):
    blocks = solution_blocks(find_course())
    assert len(blocks) >= 10
    for path in handout.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".ipynb", ".md", ".json"):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".ipynb":
                text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
            code = "\n".join(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#"))
            assert not [b for b in blocks if b in code], path


def test_is_a_solution_copied_into_the_stubs_refused(tmp_path):
    course = tmp_path / "course"
    for name in ("exercises", "student_template", "reference"):
        shutil.copytree(ROOT / name, course / name)
    shutil.copy(ROOT / "reference" / "relu.py", course / "student_template" / "relu.py")
    with pytest.raises(UsageError, match="student_template/relu.py"):
        api.handout(out=tmp_path / "out", course=course)
    assert not (tmp_path / "out").exists()


def test_does_grade_run_in_student_mode_inside_the_handout(handout):
    """The grader found in the handout grades with the handout's course: public cases only."""
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]); from grader import api; "
            "r = api.grade(sys.argv[2], timeout=10); print(json.dumps([r.mode, r.score]))")
    out = subprocess.run([sys.executable, "-c", code, str(handout), str(BUGGY)], capture_output=True, text=True,
                         timeout=120, cwd=handout)
    assert out.returncode == 0, out.stderr
    mode, score = json.loads(out.stdout)
    assert mode == "student"
    assert score == api.grade(BUGGY, mode="student", timeout=10).score


def test_is_an_unrelated_folder_never_overwritten(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(UsageError, match="not an earlier handout"):
        api.handout(out=tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"
    first = api.handout(out=tmp_path / "again")
    assert api.handout(out=first) == first                     # an earlier handout is replaced


def test_does_grade_handout_write_the_folder(tmp_path, capsys):
    from grader.cli import main

    assert main(["handout", "--out", str(tmp_path / "h")]) == 0
    assert (tmp_path / "h" / "grader" / "cli.py").is_file()
    assert "student mode" in capsys.readouterr().out
