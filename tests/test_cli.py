"""Questions about the `grade` command (grader.cli): exit codes and output channels."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from grader.cli import main

from conftest import ASSIGNMENTS, EXERCISES, REFERENCE, TEMPLATE, assignment_ids, needs

FIRST = assignment_ids()[0]
FIRST_FILE = EXERCISES[FIRST].file


@pytest.mark.course
def test_is_the_exit_code_zero_when_every_check_passes(capsys):
    assert main([str(REFERENCE / FIRST_FILE)]) == 0


@pytest.mark.course
def test_is_the_exit_code_one_when_a_check_fails(capsys):
    assert main([str(TEMPLATE)]) == 1


@pytest.mark.course
@pytest.mark.parametrize("assignment", [a.id for a in ASSIGNMENTS])
def test_does_assignment_grade_that_assignment(assignment, capsys):
    assert main([str(REFERENCE), "--assignment", assignment]) == 0
    out = capsys.readouterr().out
    assert all(i in out for i in assignment_ids(assignment))
    others = [i for i in EXERCISES if i not in assignment_ids(assignment)]
    assert not [i for i in others if f"│ {i} " in out]


@pytest.mark.course
def test_is_an_unknown_assignment_exit_two_with_the_known_ones(capsys):
    known = ASSIGNMENTS[0].id
    assert main([str(REFERENCE), "--assignment", known + "x"]) == 2
    err = capsys.readouterr().err
    assert f"Did you mean {known!r}" in err and "Known assignments: " + ", ".join(a.id for a in ASSIGNMENTS) in err
    assert err.count("\n") == 1


@pytest.mark.course
def test_is_an_exercise_outside_the_assignment_refused_with_its_assignment(capsys):
    if len(ASSIGNMENTS) < 2:
        pytest.skip("the course under test has one assignment")
    first, second = ASSIGNMENTS[0], ASSIGNMENTS[1]
    exercise = second.exercises[0]
    assert main([str(REFERENCE), "--assignment", first.id, "--exercise", exercise]) == 2
    assert f"it is in assignment {second.id!r}" in capsys.readouterr().err
    assert main([str(REFERENCE), "--exercise", exercise]) == 0      # without --assignment: the exercise's own
    assert f"({second.id})" in capsys.readouterr().out


@pytest.mark.course
def test_is_a_missing_path_exit_two_with_a_one_line_reason(capsys):
    assert main(["no/such/folder"]) == 2
    err = capsys.readouterr().err
    assert "no such file or folder" in err and "Traceback" not in err
    assert err.count("\n") == 1                      # one line, however long


@pytest.mark.course
def test_is_an_unknown_exercise_exit_two_with_a_suggestion(capsys):
    assert main([str(TEMPLATE), "--exercise", FIRST + FIRST[-1]]) == 2
    assert f"Did you mean {FIRST!r}" in capsys.readouterr().err


@pytest.mark.course
def test_is_a_wrong_file_type_exit_two(tmp_path, capsys):
    f = tmp_path / "fc.txt"
    f.write_text("x")
    assert main([str(f)]) == 2
    assert "not a Python file" in capsys.readouterr().err


@pytest.mark.course
def test_is_a_bad_option_exit_two(capsys):
    assert main([str(TEMPLATE), "--timeout", "-3"]) == 2
    assert main([str(TEMPLATE), "--bogus"]) == 2


@pytest.mark.course
def test_does_json_go_to_the_file_and_never_to_stdout(tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main([str(TEMPLATE), "--json", str(out)]) == 1
    stdout = capsys.readouterr().out
    doc = json.loads(out.read_text())
    assert doc["schema_version"] == 1 and doc["assignment"] == ASSIGNMENTS[0].id
    assert "schema_version" not in stdout and "{" not in stdout


@pytest.mark.course
def test_do_list_and_build_check_succeed(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(i in out for i in EXERCISES)
    assert main(["build", "--check"]) == 0


@pytest.mark.course
def test_does_a_single_template_file_grade_to_zero(capsys):
    assert main([str(TEMPLATE / FIRST_FILE)]) == 1
    assert f"{FIRST}: not attempted yet" in capsys.readouterr().out


@pytest.mark.course
def test_does_python_dash_m_grader_work_like_grade():
    proc = subprocess.run([sys.executable, "-m", "grader", str(REFERENCE / FIRST_FILE)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and FIRST in proc.stdout


def test_does_no_argument_print_one_usage_line_on_stderr_and_exit_two(capsys):
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("usage: grade PATH") and err.count("\n") == 1


def test_does_grade_help_list_the_options_of_grade_path(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert all(option in text for option in ("--assignment ID", "--exercise ID", "--json FILE", "--timeout S"))
    assert "batch" in text and "grade check PATH" in text


@needs("fc", "relu")
def test_does_exercise_with_another_file_name_the_file_given(tmp_path, capsys):
    from conftest import reference_source

    path = tmp_path / "fc.py"
    path.write_text(reference_source("fc"), encoding="utf-8")
    assert main(["--exercise", "relu", str(path)]) == 1
    text = " ".join(capsys.readouterr().out.split())
    assert "fc.py defines no `ReLU`" in text and "relu.py" not in text
