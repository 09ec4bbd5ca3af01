"""Questions about validating exercise declarations before a build (grader.authoring.validate)."""

from __future__ import annotations

import shutil

import pytest

from grader.cli import main
from grader.authoring.course import find_course
from grader.authoring.validate import validate_course

from conftest import COURSE, needs, patch


@pytest.mark.course
def test_does_the_shipped_course_validate_cleanly():
    assert validate_course(find_course()) == []


@pytest.fixture
def course(tmp_path):
    """A copy of the course whose declarations a test may break."""
    for name in ("exercises", "reference", "student_template"):
        shutil.copytree(COURSE.root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    if COURSE.course_file.is_file():
        shutil.copy(COURSE.course_file, tmp_path / "course.toml")
    return tmp_path


def broken(course, exercise: str, old: str, new: str):
    path = course / "exercises" / exercise / "checks.py"
    path.write_text(patch(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")
    return validate_course(find_course(course))


@needs("relu")
def test_is_a_misspelt_target_output_named_with_its_line_and_the_closest_name(course):
    problems = broken(course, "relu", 'targets=(Target("y",', 'targets=(Target("yy",')
    assert len(problems) == 1
    p = problems[0]
    assert p.file == "exercises/relu/checks.py" and "Target(\"yy\"" in \
        (course / p.file).read_text().splitlines()[p.line - 1]
    assert "target output 'yy' is not an output of recipe 'main' (did you mean 'y'?)" in p.message


@needs("relu")
def test_is_a_misspelt_numeric_input_refused_before_it_can_crash_student_mode(course):
    problems = broken(course, "relu", 'NumericSpec("main", FORWARD, "y", "dz", (("x", "dx"),))',
                      'NumericSpec("main", FORWARD, "y", "dz", (("xx", "dx"),))')
    assert [p.message for p in problems] == ["numeric spec for 'main': wrt input 'xx' is not an input "
                                             "(did you mean 'x'?)"]


@needs("relu")
def test_is_a_class_missing_from_the_reference_named(course):
    path = course / "exercises" / "relu" / "checks.py"
    path.write_text(path.read_text().replace('new("relu", "ReLU")', 'new("relu", "Relu")'))
    problems = validate_course(find_course(course))
    assert problems and all("'Relu' is not defined at the top of reference/relu.py (did you mean 'ReLU'?)" in p.message
               for p in problems)


@needs("relu")
def test_is_a_list_where_a_tuple_belongs_one_line_not_a_type_error(course):
    problems = broken(course, "relu", 'names=("y", "dx", "J")', 'names=["y", "dx", "J"]')
    assert [p.message for p in problems] == ["check relu.hygiene.sequence: names is a list; write a tuple (…, …)"]


@needs("relu")
def test_does_grade_build_stop_with_exit_two_and_write_nothing(course, capsys):
    template = course / "student_template" / "relu.py"
    template.unlink()
    broken(course, "relu", 'targets=(Target("y",', 'targets=(Target("yy",')
    assert main(["build", "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exercises/relu/checks.py:" in err and "did you mean 'y'?" in err
    assert not template.exists()


@needs("relu")
def test_is_a_points_mismatch_with_the_statement_named_with_its_line(course):
    path = course / "exercises" / "relu" / "README.md"
    text = path.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if "`relu.forward`" in ln and "|" in ln)
    path.write_text(text.replace(line, line.replace("| 2 |", "| 3 |")), encoding="utf-8")
    problems = validate_course(find_course(course))
    assert len(problems) == 1 and problems[0].file == "exercises/relu/README.md"
    assert "`relu.forward`" in path.read_text().splitlines()[problems[0].line - 1]
    assert "relu.forward is worth 2 points in checks.py" in problems[0].message


@needs("relu")
def test_does_the_build_refuse_a_reference_that_fails_its_own_hygiene_checks(course, capsys):
    ref = course / "reference" / "relu.py"
    ref.write_text(patch(ref.read_text(), "        self.x = x\n", "        self.x = x\n        x *= 1.0\n"
                                                                  "        x[0, 0] = abs(x[0, 0])\n"))
    assert main(["build", "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert "reference/relu.py" in err and "relu.hygiene.mutation" in err and "expected full marks" in err


@needs("relu")
def test_is_a_stub_that_passes_a_check_reported(course):
    from grader.authoring.validate import verify_grading

    shutil.copy(course / "reference" / "relu.py", course / "student_template" / "relu.py")
    problems = verify_grading(find_course(course), ["relu"])
    assert problems and all(p.file == "student_template/relu.py" and "expected not_implemented" in p.message
                            for p in problems)
