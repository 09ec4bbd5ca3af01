"""Questions about the Gradescope and PrairieLearn outputs (grader.outputs.platforms, grader.outputs.gradescope)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile

import pytest

from grader import api
from grader.outputs import platforms

from conftest import (ASSIGNMENTS, BUGGY, COURSE, EXERCISES, REFERENCE, TEMPLATE, assignment_ids, check_ids,
                      course_total, exercise_points, gradescope_layout, needs, needs_bundled, patch, run_autograder,
                      split_cells, write_notebook)

FIRST = assignment_ids()[0]


#: Gradescope's documented results.json fields ("Autograder Specifications", Output format) and their types.
TOP_FIELDS = {"score": (int, float), "execution_time": int, "output": str, "output_format": str,
              "test_output_format": str, "test_name_format": str, "visibility": str, "stdout_visibility": str,
              "extra_data": dict, "tests": list, "leaderboard": list}
TEST_FIELDS = {"score": (int, float), "max_score": (int, float), "status": str, "name": str, "name_format": str,
               "number": str, "output": str, "output_format": str, "tags": list, "visibility": str,
               "extra_data": dict}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}
TIMEOUT = 4.0


def assert_gradescope_schema(results: dict) -> None:
    """Every field is one Gradescope documents, with its documented type and values."""
    assert set(results) <= set(TOP_FIELDS), set(results) - set(TOP_FIELDS)
    for key, value in results.items():
        assert isinstance(value, TOP_FIELDS[key]) and not isinstance(value, bool), key
    assert {"score", "tests"} <= set(results)
    assert results.get("visibility", "visible") in VISIBILITIES
    assert results.get("stdout_visibility", "hidden") in VISIBILITIES
    for key in ("output_format", "test_output_format", "test_name_format"):
        assert results.get(key, "text") in FORMATS
    for test in results["tests"]:
        assert set(test) <= set(TEST_FIELDS), set(test) - set(TEST_FIELDS)
        for key, value in test.items():
            assert isinstance(value, TEST_FIELDS[key]) and not isinstance(value, bool), key
        assert test.get("visibility", "visible") in VISIBILITIES
        assert test.get("status", "passed") in ("passed", "failed")
        assert 0 <= test["score"] <= test.get("max_score", test["score"])


@pytest.fixture(scope="module")
def gradescope(tmp_path_factory):
    """The autograder zip laid out as Gradescope lays it out, after setup.sh ran from root/source.

    setup.sh really runs: it makes root/venv and pip-installs the project
    from root/source (network or pip's cache).
    """
    base = tmp_path_factory.mktemp("gradescope")
    zip_path = api.gradescope(out=base / "autograder.zip", timeout=TIMEOUT, salt="course-secret")
    root = gradescope_layout(zip_path, base / "autograder")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "GRADE_COURSE")}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if not p.startswith(sys.prefix))
    proc = subprocess.run(["bash", "setup.sh"], cwd=root / "source", env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return zip_path, root


@pytest.mark.course
def test_does_the_zip_hold_setup_run_autograder_and_the_project_at_its_root(gradescope):
    zip_path, _ = gradescope
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        config = json.loads(zf.read("autograder.json"))
    assert {"setup.sh", "run_autograder", "pyproject.toml", "autograder.json"} <= names
    assert {f"reference/{e.file}" for e in EXERCISES.values()} <= names
    assert {f"reference/mutants/{i}.py" for i, e in EXERCISES.items() if e.mutants} <= names
    assert {f"exercises/{i}/public_cases.json" for i in EXERCISES} <= names and "grader/judging/engine.py" in names
    assert ("course.toml" in names) == COURSE.course_file.is_file()
    assert config == {"assignment": ASSIGNMENTS[0].id, "timeout": TIMEOUT, "salt": "course-secret"}
    assert not [n for n in names if n.startswith("source/") or "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.course
@pytest.mark.parametrize("assignment", [a.id for a in ASSIGNMENTS])
def test_does_a_zip_grade_its_assignment_alone_out_of_that_assignments_total(assignment, tmp_path):
    zip_path = api.gradescope(out=tmp_path / "autograder.zip", assignment=assignment, timeout=TIMEOUT)
    with zipfile.ZipFile(zip_path) as zf:
        assert json.loads(zf.read("autograder.json"))["assignment"] == assignment
    root = gradescope_layout(zip_path, tmp_path / "autograder")
    results = run_autograder(root, sorted(REFERENCE.glob("*.py")), python=sys.executable)
    assert_gradescope_schema(results)
    scored = [t for t in results["tests"] if t["visibility"] == "after_published"]
    assert [t["name"] for t in scored] == check_ids(assignment)
    assert results["score"] == sum(t["max_score"] for t in scored) == course_total(assignment)


def test_is_an_unknown_assignment_refused_before_a_zip_is_written(tmp_path):
    from grader.errors import UsageError

    with pytest.raises(UsageError, match="no assignment 'no-such'"):
        api.gradescope(out=tmp_path / "a.zip", assignment="no-such")
    assert not list(tmp_path.iterdir())


def test_is_the_zip_deterministic(tmp_path):
    a = api.gradescope(out=tmp_path / "a.zip")
    b = api.gradescope(out=tmp_path / "b.zip")
    assert a.read_bytes() == b.read_bytes()


def test_does_setup_sh_install_the_project_where_gradescope_unzips_it(gradescope):
    _, root = gradescope
    python = root / "venv" / "bin" / "python"
    check = subprocess.run([str(python), "-c", "import grader, numpy, rich; print(grader.__file__)"],
                           capture_output=True, text=True, timeout=60, cwd=root)
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == str(root / "source" / "grader" / "__init__.py")


@needs_bundled
def test_does_a_folder_of_py_files_get_documented_results(gradescope):
    _, root = gradescope
    results = run_autograder(root, sorted(BUGGY.glob("*.py")))
    assert_gradescope_schema(results)
    assert results["output_format"] == "md" and 0 < results["score"] < course_total()
    scored = [t for t in results["tests"] if t["visibility"] == "after_published"]
    public = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert len(scored) == len(public) == len(check_ids())
    assert sum(t["score"] for t in scored) == results["score"]
    assert all(t["max_score"] == 0 for t in public)
    dW = next(t for t in public if t["name"] == "fc.backward.dW (public cases)")
    assert dW["status"] == "failed" and "layout_transposed" in dW["output"]


@pytest.mark.course
def test_does_the_reference_get_full_marks(gradescope):
    _, root = gradescope
    results = run_autograder(root, sorted(REFERENCE.glob("*.py")))
    assert results["score"] == course_total() and all(t["status"] == "passed" for t in results["tests"])


@needs_bundled
def test_does_a_notebook_submission_score_like_the_same_code_in_py_files(gradescope, tmp_path):
    _, root = gradescope
    relu = write_notebook(tmp_path / "relu.ipynb", split_cells((BUGGY / "relu.py").read_text()))
    homework = write_notebook(tmp_path / "homework.ipynb", split_cells((BUGGY / "fc.py").read_text()))
    from_notebooks = run_autograder(root, [relu, homework])
    from_py = run_autograder(root, [BUGGY / "relu.py", BUGGY / "fc.py"])
    assert_gradescope_schema(from_notebooks)
    assert from_notebooks["score"] == from_py["score"] == 19        # fc 9/11, relu 10/11
    pick = [(t["name"], t["score"], t["status"]) for t in from_notebooks["tests"]]
    assert pick == [(t["name"], t["score"], t["status"]) for t in from_py["tests"]]


@pytest.mark.course
@pytest.mark.parametrize("files", [[], ["notes.txt"]], ids=["empty", "no-code"])
def test_is_an_unreadable_upload_a_clear_zero_in_the_documented_format(gradescope, tmp_path, files):
    _, root = gradescope
    paths = []
    for name in files:
        (tmp_path / name).write_text("no code here")
        paths.append(tmp_path / name)
    results = run_autograder(root, paths)
    assert_gradescope_schema(results)
    assert results["score"] == 0 and results["tests"] == []
    assert "could not be graded" in results["output"]


@pytest.mark.course
def test_does_a_hanging_submission_cost_one_timeout(gradescope, tmp_path):
    _, root = gradescope
    hanging = tmp_path / EXERCISES[FIRST].file
    hanging.write_text("while True:\n    pass\n")
    started = time.monotonic()
    results = run_autograder(root, [hanging])
    elapsed = time.monotonic() - started
    assert_gradescope_schema(results)
    assert results["score"] == 0
    mine = [t for t in results["tests"] if t["name"].startswith(f"{FIRST}.")]
    assert mine and all("timeout" in t["output"] for t in mine)
    assert TIMEOUT <= elapsed < 2 * TIMEOUT, elapsed


def _before_publication(results: dict) -> dict:
    """What a student can see before grades are published: the visible tests and the top-level output."""
    assert results["visibility"] == "after_published"
    tests = [t for t in results["tests"] if t.get("visibility", results["visibility"]) == "visible"]
    return {"output": results["output"], "tests": tests}


@needs("relu")
def test_does_nothing_computed_from_hidden_cases_show_before_publication(gradescope, tmp_path):
    """A ReLU that is wrong only at the hidden cases' sizes (4, 9, 11) looks exactly like the reference."""
    _, root = gradescope
    source = patch((REFERENCE / "relu.py").read_text(), "        self.x = x\n",
                   "        self.x = x\n        if x.shape[0] in (4, 9, 11):\n            return x.copy()\n")
    (tmp_path / "relu.py").write_text(source)
    sneaky = run_autograder(root, [tmp_path / "relu.py"])
    honest = run_autograder(root, [REFERENCE / "relu.py"])
    assert sneaky["score"] < honest["score"] == exercise_points("relu")
    assert _before_publication(sneaky) == _before_publication(honest)
    assert all(t["max_score"] == 0 for t in _before_publication(sneaky)["tests"])


@needs_bundled
def test_does_the_prairielearn_format_have_score_in_zero_to_one(tmp_path):
    from grader.cli import main

    out = tmp_path / "results.json"
    assert main([str(BUGGY), "--format", "prairielearn", "--json", str(out)]) == 1
    doc = json.loads(out.read_text())
    assert doc["gradable"] is True and 0 < doc["score"] < 1
    assert {"name", "points", "max_points"} <= set(doc["tests"][0])
    assert doc["score"] == pytest.approx(sum(t["points"] for t in doc["tests"]) / course_total())


def test_is_an_unreadable_prairielearn_submission_ungradable():
    doc = platforms.prairielearn_ungradable("no exercise files")
    assert doc["gradable"] is False and doc["format_errors"] == ["no exercise files"]


@pytest.mark.course
def test_does_a_template_score_zero_in_both_formats():
    report = api.grade(TEMPLATE, exercise=FIRST)
    assert platforms.prairielearn(report)["score"] == 0
    assert platforms.gradescope(report)["score"] == 0


@pytest.mark.course
def test_is_html_in_a_message_left_for_prairielearn_to_escape_once(grade_sources):
    # PrairieLearn's <pl-external-grader-results> runs `message` through ansi2html, which escapes & < >;
    # escaping them here too would show students "&lt;img". Only control characters are made visible.
    src = "raise ValueError('<img src=x> & \\x1b[31mred')\n"
    doc = platforms.prairielearn(grade_sources({FIRST: src}, exercise=FIRST))
    forward = next(t for t in doc["tests"] if t["name"] == EXERCISES[FIRST].checks[0].id)
    assert "<img src=x> & \\x1b[31mred" in forward["message"] and "\x1b" not in forward["message"]
    assert "&lt;" not in forward["message"] and "&amp;" not in forward["message"]


@pytest.mark.course
def test_does_gradescope_declare_plain_text_for_test_outputs_and_names():
    doc = platforms.gradescope(api.grade(TEMPLATE, exercise=FIRST))
    assert doc["output_format"] == "md"
    assert doc["test_output_format"] == "text" and doc["test_name_format"] == "text"
