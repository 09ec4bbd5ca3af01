"""Questions about validating exercise declarations before a build (grader.validate)."""

from __future__ import annotations

import shutil

import pytest

from grader.cli import main
from grader.course import find_course
from grader.validate import validate_course

from conftest import ROOT, patch


def test_does_the_shipped_course_validate_cleanly():
    assert validate_course(find_course()) == []


@pytest.fixture
def course(tmp_path):
    """A copy of the course whose declarations a test may break."""
    for name in ("exercises", "reference", "student_template"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def broken(course, exercise: str, old: str, new: str):
    path = course / "exercises" / exercise / "checks.py"
    path.write_text(patch(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")
    return validate_course(find_course(course))


def test_is_a_misspelt_target_output_named_with_its_line_and_the_closest_name(course):
    problems = broken(course, "fc", 'targets=(Target("dW",', 'targets=(Target("dWW",')
    assert len(problems) == 1
    p = problems[0]
    assert p.file == "exercises/fc/checks.py" and "Target(\"dWW\"" in \
        (course / p.file).read_text().splitlines()[p.line - 1]
    assert "target output 'dWW' is not an output of recipe 'main' (did you mean 'dW'?)" in p.message


def test_is_a_misspelt_numeric_input_refused_before_it_can_crash_student_mode(course):
    problems = broken(course, "fc", '(("x", "dx"), ("W", "dW"), ("b", "db"))', '(("x", "dx"), ("Ww", "dW"), ("b", "db"))')
    assert [p.message for p in problems] == ["numeric spec for 'main': wrt input 'Ww' is not an input "
                                             "(did you mean 'W'?)"]


def test_is_a_class_missing_from_the_reference_named(course):
    path = course / "exercises" / "relu" / "checks.py"
    path.write_text(path.read_text().replace('new("relu", "ReLU")', 'new("relu", "Relu")'))
    problems = validate_course(find_course(course))
    assert problems and all("'Relu' is not defined at the top of reference/relu.py (did you mean 'ReLU'?)" in p.message
               for p in problems)


def test_is_a_list_where_a_tuple_belongs_one_line_not_a_type_error(course):
    problems = broken(course, "fc", 'names=("z", "dx", "dW", "db", "J")', 'names=["z", "dx", "dW", "db", "J"]')
    assert [p.message for p in problems] == ["check fc.hygiene.sequence: names is a list; write a tuple (…, …)"]


def test_does_grade_build_stop_with_exit_two_and_write_nothing(course, capsys):
    template = course / "student_template" / "fc.py"
    template.unlink()
    broken(course, "fc", 'targets=(Target("dW",', 'targets=(Target("dWW",')
    assert main(["build", "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exercises/fc/checks.py:" in err and "did you mean 'dW'?" in err
    assert not template.exists()


def test_is_a_points_mismatch_with_the_statement_named_with_its_line(course):
    path = course / "exercises" / "relu" / "README.md"
    text = path.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if "`relu.forward`" in ln and "|" in ln)
    path.write_text(text.replace(line, line.replace("| 2 |", "| 3 |")), encoding="utf-8")
    problems = validate_course(find_course(course))
    assert len(problems) == 1 and problems[0].file == "exercises/relu/README.md"
    assert "`relu.forward`" in path.read_text().splitlines()[problems[0].line - 1]
    assert "relu.forward is worth 2 points in checks.py" in problems[0].message


def test_does_the_build_refuse_a_reference_that_fails_its_own_hygiene_checks(course, capsys):
    ref = course / "reference" / "relu.py"
    ref.write_text(patch(ref.read_text(), "        self.x = x\n", "        self.x = x\n        x *= 1.0\n"
                                                                  "        x[0, 0] = abs(x[0, 0])\n"))
    assert main(["build", "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert "reference/relu.py" in err and "relu.hygiene.mutation" in err and "expected full marks" in err


def test_is_a_stub_that_passes_a_check_reported(course):
    from grader.validate import verify_grading

    shutil.copy(course / "reference" / "relu.py", course / "student_template" / "relu.py")
    problems = verify_grading(find_course(course), ["relu"])
    assert problems and all(p.file == "student_template/relu.py" and "expected not_implemented" in p.message
                            for p in problems)
