"""Questions about `grade new`: a working exercise skeleton in any course (grader.authoring.scaffold)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from grader import api
from grader.cli import main
from grader.authoring.course import find_course

from conftest import COURSE, ROOT


@pytest.fixture
def course_copy(tmp_path):
    """A copy of the course under test (exercises, reference, stubs and course.toml)."""
    copy = tmp_path / "course"
    copy.mkdir()
    for name in ("exercises", "reference", "student_template"):
        shutil.copytree(COURSE.root / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    if COURSE.course_file.is_file():
        shutil.copy(COURSE.course_file, copy / "course.toml")
    return copy


@pytest.mark.parametrize("convention,style", [("column", "class"), ("column", "function"),
                                              ("batch", "class"), ("batch", "function")])
def test_does_a_new_skeleton_build_and_give_its_reference_full_marks(course_copy, convention, style):
    eid = f"new_{convention}_{style}"
    assert main(["new", eid, "--convention", convention, "--style", style, "--assignment", "extra",
                 "--course", str(course_copy)]) == 0
    course = find_course(course_copy)
    assert eid in course.exercise_ids("extra")
    # The build validates the declaration and the statement's table, then grades the reference (full marks)
    # and the stub (not_implemented on every check) in both modes.
    assert main(["build", "--course", str(course_copy), "--exercise", eid]) == 0
    mine = course_copy / "mine"
    mine.mkdir()
    shutil.copy(course_copy / "reference" / f"{eid}.py", mine / f"{eid}.py")
    for mode in ("instructor", "student"):
        report = api.grade(mine, exercise=eid, course=course_copy, mode=mode)
        assert report.score == report.max_score > 0, mode


def test_is_an_existing_exercise_or_a_bad_id_refused_without_writing(course_copy, capsys):
    existing = find_course(course_copy).exercise_ids()[0]
    before = sorted(p.relative_to(course_copy) for p in course_copy.rglob("*"))
    assert main(["new", existing, "--course", str(course_copy)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["new", "Bad-Id", "--course", str(course_copy)]) == 2
    assert "cannot be an exercise id" in capsys.readouterr().err
    assert sorted(p.relative_to(course_copy) for p in course_copy.rglob("*")) == before


def test_do_the_course_generic_tests_pass_on_a_course_with_a_new_exercise(course_copy):
    """`grade new` + `grade build` + the course-generic tests, with no test edited."""
    assert main(["new", "added_layer", "--course", str(course_copy)]) == 0
    assert main(["build", "--course", str(course_copy)]) == 0
    env = {**os.environ, "GRADE_COURSE": str(course_copy)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-m", "course", "-p", "no:cacheprovider",
                          str(ROOT / "tests")], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert " passed" in run.stdout
