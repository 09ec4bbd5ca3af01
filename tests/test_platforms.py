"""Questions about the Gradescope and PrairieLearn outputs (grader.platforms, grader.gradescope)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from grader import api, platforms

from conftest import REFERENCE, ROOT, TEMPLATE

BUGGY = ROOT / "examples" / "buggy_submission"


@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The autograder zip unpacked into a folder laid out like /autograder."""
    base = tmp_path_factory.mktemp("ag")
    zip_path = api.gradescope(out=base / "autograder.zip", timeout=5, salt="course-secret")
    root = base / "autograder"
    root.mkdir()
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root)
    for name in ("setup.sh", "run_autograder"):
        (root / name).chmod(0o755)
    return zip_path, root


def run_autograder(root, submission_files):
    sub = root / "submission"
    shutil.rmtree(sub, ignore_errors=True)
    sub.mkdir()
    for f in submission_files:
        shutil.copy(f, sub / f.name)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    proc = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_does_the_zip_hold_the_scripts_the_course_and_the_reference(autograder):
    zip_path, _ = autograder
    names = set(zipfile.ZipFile(zip_path).namelist())
    assert {"setup.sh", "run_autograder", "source/pyproject.toml", "source/autograder.json"} <= names
    assert "source/reference/fc.py" in names and "source/reference/mutants/scanning_mlp.py" in names
    assert "source/exercises/fc/public_cases.json" in names and "source/grader/engine.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_is_the_zip_deterministic(tmp_path):
    a = api.gradescope(out=tmp_path / "a.zip")
    b = api.gradescope(out=tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()


def test_does_run_autograder_write_gradescope_results(autograder):
    _, root = autograder
    results = run_autograder(root, sorted(BUGGY.glob("*.py")))
    assert set(results) >= {"score", "execution_time", "output", "output_format", "tests"}
    assert results["output_format"] == "md" and 0 < results["score"] < 57
    scored = [t for t in results["tests"] if t["visibility"] == "after_published"]
    public = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert len(scored) == len(public) == 42
    assert sum(t["score"] for t in scored) == results["score"]
    assert all(t["max_score"] == 0 for t in public)
    for t in results["tests"]:
        assert set(t) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert t["status"] in ("passed", "failed")
    dW = next(t for t in public if t["name"] == "fc.backward.dW (public cases)")
    assert dW["status"] == "failed" and "layout_transposed" in dW["output"]


def test_does_the_reference_get_full_marks_through_run_autograder(autograder):
    _, root = autograder
    results = run_autograder(root, sorted(REFERENCE.glob("*.py")))
    assert results["score"] == 57 and all(t["status"] == "passed" for t in results["tests"])


def test_is_an_unreadable_upload_a_clear_zero(autograder):
    _, root = autograder
    notes = root.parent / "notes.txt"
    notes.write_text("no code here")
    results = run_autograder(root, [notes])
    assert results["score"] == 0 and "could not be graded" in results["output"]


def test_does_the_prairielearn_format_have_score_in_zero_to_one(tmp_path):
    from grader.cli import main

    out = tmp_path / "results.json"
    assert main([str(BUGGY), "--format", "prairielearn", "--json", str(out)]) == 1
    doc = json.loads(out.read_text())
    assert doc["gradable"] is True and 0 < doc["score"] < 1
    assert {"name", "points", "max_points"} <= set(doc["tests"][0])
    assert doc["score"] == pytest.approx(sum(t["points"] for t in doc["tests"]) / 57)


def test_is_an_unreadable_prairielearn_submission_ungradable():
    doc = platforms.prairielearn_ungradable("no exercise files")
    assert doc["gradable"] is False and doc["format_errors"] == ["no exercise files"]


def test_does_a_template_score_zero_in_both_formats():
    report = api.grade(TEMPLATE, exercise="fc")
    assert platforms.prairielearn(report)["score"] == 0
    assert platforms.gradescope(report)["score"] == 0


def test_does_setup_sh_install_a_working_grader(autograder):
    """setup.sh builds a venv and installs the packaged project; its python then grades."""
    _, root = autograder
    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    proc = subprocess.run(["bash", str(root / "setup.sh")], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    python = root / "venv" / "bin" / "python"
    check = subprocess.run([str(python), "-c", "import grader, numpy, rich; print(grader.__file__)"],
                           capture_output=True, text=True, timeout=60, cwd=root)
    assert check.returncode == 0 and str(root / "source") in check.stdout
    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    env.pop("AUTOGRADER_PYTHON", None)
    sub = root / "submission"
    shutil.rmtree(sub, ignore_errors=True)
    sub.mkdir()
    shutil.copy(REFERENCE / "relu.py", sub / "relu.py")
    proc = subprocess.run([str(root / "run_autograder")], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 10


def test_is_html_in_a_message_left_for_prairielearn_to_escape_once(grade_sources):
    # PrairieLearn's <pl-external-grader-results> runs `message` through ansi2html, which escapes & < >;
    # escaping them here too would show students "&lt;img". Only control characters are made visible.
    src = "raise ValueError('<img src=x> & \\x1b[31mred')\n"
    doc = platforms.prairielearn(grade_sources({"fc": src}, exercise="fc"))
    forward = next(t for t in doc["tests"] if t["name"] == "fc.forward")
    assert "<img src=x> & \\x1b[31mred" in forward["message"] and "\x1b" not in forward["message"]
    assert "&lt;" not in forward["message"] and "&amp;" not in forward["message"]


def test_does_gradescope_declare_plain_text_for_test_outputs_and_names():
    doc = platforms.gradescope(api.grade(TEMPLATE, exercise="fc"))
    assert doc["output_format"] == "md"
    assert doc["test_output_format"] == "text" and doc["test_name_format"] == "text"
