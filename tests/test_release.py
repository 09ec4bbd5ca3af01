"""Questions about the student handout (grader.authoring.release, `grade handout`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from grader import api
from grader.errors import UsageError
from grader.authoring.release import solution_blocks

from conftest import ASSIGNMENTS, COURSE, EXERCISES, REFERENCE, assignment_ids

#: Every test here hands out the course under test.
pytestmark = pytest.mark.course
FIRST = assignment_ids()[0]


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    return api.handout(out=tmp_path_factory.mktemp("release") / "handout")


def test_does_the_handout_hold_no_staff_only_file(handout):
    names = {p.relative_to(handout).as_posix() for p in handout.rglob("*")}
    for i, e in EXERCISES.items():
        assert {f"exercises/{i}/public_cases.json", f"exercises/{i}/{i}.ipynb", f"student_template/{e.file}"} <= names
    assert {"grader/judging/engine.py", "pyproject.toml", "README.md"} <= names
    assert ("course.toml" in names) == COURSE.course_file.is_file()
    staff = [n for n in names if n.split("/")[0] in ("reference", "tests", "bench", "examples", ".ci", ".git")
             or n.endswith(("autograder.json", "prairielearn.json")) or "__pycache__" in n]
    assert staff == []


@pytest.mark.parametrize("assignment", [a.id for a in ASSIGNMENTS])
def test_does_a_handout_of_one_assignment_hold_that_assignment_alone(assignment, tmp_path):
    out = api.handout(out=tmp_path / "h", assignment=assignment)
    ids = assignment_ids(assignment)
    assert sorted(p.name for p in (out / "exercises").iterdir()) == sorted(ids)
    assert sorted(p.name for p in (out / "student_template").iterdir()) == sorted(EXERCISES[i].file for i in ids)
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]); from grader.authoring.course import find_course; "
            "c = find_course(); print(json.dumps([[a.id, list(a.exercises)] for a in c.assignments()]))")
    env = {k: v for k, v in os.environ.items() if k != "GRADE_COURSE"}
    done = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True, timeout=60,
                          cwd=out, env=env)
    assert done.returncode == 0, done.stderr
    declared = json.loads(done.stdout)
    assert [a for a, _ in declared] == [assignment] and sorted(declared[0][1]) == sorted(ids)


def test_is_no_solution_block_of_the_reference_in_any_file(handout):
    blocks = solution_blocks(COURSE)
    markers = sum(p.read_text(encoding="utf-8").count("### BEGIN SOLUTION") for p in REFERENCE.rglob("*.py"))
    assert len(EXERCISES) <= len(blocks) <= markers
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
        shutil.copytree(COURSE.root / name, course / name)
    if COURSE.course_file.is_file():
        shutil.copy(COURSE.course_file, course / "course.toml")
    file = EXERCISES[FIRST].file
    shutil.copy(REFERENCE / file, course / "student_template" / file)
    with pytest.raises(UsageError, match=f"student_template/{file}"):
        api.handout(out=tmp_path / "out", course=course)
    assert not (tmp_path / "out").exists()


def test_does_grade_run_in_student_mode_inside_the_handout(handout):
    """The grader found in the handout grades with the handout's course: public cases only."""
    code = ("import sys, json; sys.path.insert(0, sys.argv[1]); from grader import api; "
            "r = api.grade(sys.argv[2], timeout=10); print(json.dumps([r.mode, r.score]))")
    env = {k: v for k, v in os.environ.items() if k != "GRADE_COURSE"}       # the handout's own course
    out = subprocess.run([sys.executable, "-c", code, str(handout), str(REFERENCE)], capture_output=True, text=True,
                         timeout=120, cwd=handout, env=env)
    assert out.returncode == 0, out.stderr
    mode, score = json.loads(out.stdout)
    assert mode == "student"
    assert score == api.grade(REFERENCE, mode="student", timeout=10).score


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
