"""Questions about the `grade` command (grader.cli): exit codes and output channels."""

from __future__ import annotations

import json
import subprocess
import sys

from grader.cli import main

from conftest import ROOT, TEMPLATE

BUGGY = ROOT / "examples" / "buggy_submission"


def test_is_the_exit_code_zero_when_every_check_passes(capsys):
    assert main([str(ROOT / "reference" / "fc.py")]) == 0


def test_is_the_exit_code_one_when_a_check_fails(capsys):
    assert main([str(BUGGY)]) == 1


def test_is_a_missing_path_exit_two_with_a_one_line_reason(capsys):
    assert main(["no/such/folder"]) == 2
    err = capsys.readouterr().err
    assert "no such file or folder" in err and "Traceback" not in err
    assert err.count("\n") == 1                      # one line, however long


def test_is_an_unknown_exercise_exit_two_with_a_suggestion(capsys):
    assert main([str(BUGGY), "--exercise", "rellu"]) == 2
    assert "Did you mean 'relu'" in capsys.readouterr().err


def test_is_a_wrong_file_type_exit_two(tmp_path, capsys):
    f = tmp_path / "fc.txt"
    f.write_text("x")
    assert main([str(f)]) == 2
    assert "not a Python file" in capsys.readouterr().err


def test_is_a_bad_option_exit_two(capsys):
    assert main([str(BUGGY), "--timeout", "-3"]) == 2
    assert main([str(BUGGY), "--bogus"]) == 2


def test_does_json_go_to_the_file_and_never_to_stdout(tmp_path, capsys):
    out = tmp_path / "report.json"
    assert main([str(BUGGY), "--json", str(out)]) == 1
    stdout = capsys.readouterr().out
    assert json.loads(out.read_text())["schema_version"] == 1
    assert "schema_version" not in stdout and "{" not in stdout


def test_do_list_and_build_check_succeed(capsys):
    assert main(["list"]) == 0
    assert "scanning_mlp" in capsys.readouterr().out
    assert main(["build", "--check"]) == 0


def test_does_a_single_template_file_grade_to_zero(capsys):
    assert main([str(TEMPLATE / "relu.py")]) == 1
    assert "relu: not attempted yet" in capsys.readouterr().out


def test_does_python_dash_m_grader_work_like_grade():
    proc = subprocess.run([sys.executable, "-m", "grader", str(ROOT / "reference" / "relu.py")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "relu" in proc.stdout


def test_does_no_argument_print_one_usage_line_on_stderr_and_exit_two(capsys):
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("usage: grade PATH") and err.count("\n") == 1


def test_does_grade_help_list_the_options_of_grade_path(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert all(option in text for option in ("--exercise ID", "--json FILE", "--timeout S"))
    assert "batch" in text and "grade check PATH" in text


def test_does_exercise_with_another_file_name_the_file_given(tmp_path, capsys):
    from conftest import reference_source

    path = tmp_path / "fc.py"
    path.write_text(reference_source("fc"), encoding="utf-8")
    assert main(["--exercise", "relu", str(path)]) == 1
    text = " ".join(capsys.readouterr().out.split())
    assert "fc.py defines no `ReLU`" in text and "relu.py" not in text
