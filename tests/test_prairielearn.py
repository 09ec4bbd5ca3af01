"""Questions about the PrairieLearn grader package and its runner (grader.outputs.prairielearn).

Each runner test lays out a temporary folder the way PrairieLearn lays out /grade
(docs/externalGrading.md in github.com/PrairieLearn/PrairieLearn): the student's files in
student/, the course folder from the package in serverFilesCourse/backprop_grader/, the
question's data in data/data.json, and no results/ folder (the entrypoint must make it). The
runner then runs as a subprocess with the image's entrypoint arguments and the environment
the Dockerfile sets.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from grader import api
from grader.outputs import prairielearn
from grader.errors import UsageError

from conftest import (ASSIGNMENTS, COURSE, EXERCISES, REFERENCE, TEMPLATE, assignment_ids, check_ids, course_total,
                      default_pair, exercise_points, write_notebook)

#: Every test here packages the course under test, or grades it through the package.
pytestmark = pytest.mark.course
FIRST = assignment_ids()[0]
FIRST_FILE = EXERCISES[FIRST].file

SALT = "pl-course-secret"
#: The keys PrairieLearn's results.json documents (externalGrading.md, "Grading results").
DOCUMENTED = {"gradable", "score", "message", "output", "format_errors", "images", "tests"}
TEST_KEYS = {"name", "description", "points", "max_points", "message", "output"}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return api.prairielearn(out=tmp_path_factory.mktemp("pl") / "package", timeout=2, salt=SALT)


def image_env(package: Path) -> dict:
    """The variables the Dockerfile's ENV lines set, as the grading container has them."""
    env = {}
    for line in (package / "image" / "Dockerfile").read_text().splitlines():
        if line.startswith("ENV "):
            env.update(item.split("=", 1) for item in shlex.split(line[4:]))
    return env


def grade_root(package: Path, root: Path, student: dict[str, bytes | str], *, env: dict | None = None) -> dict:
    """Lay out `root` like /grade, run the image's entrypoint on it, and return results.json."""
    (root / "student").mkdir(parents=True)
    for name, data in student.items():
        raw = data if isinstance(data, bytes) else data.encode("utf-8")
        (root / "student" / name).write_bytes(raw)
    shutil.copytree(package / "serverFilesCourse", root / "serverFilesCourse")
    (root / "data").mkdir()
    (root / "data" / "data.json").write_text(json.dumps({"params": {}, "submitted_answers": {}}))
    entry = json.loads((package / "question" / "info.json").read_text())["externalGradingOptions"]["entrypoint"]
    command = [sys.executable, *(str(root) if a == "/grade" else a for a in entry[1:])]   # the image's python
    full_env = {**os.environ, **image_env(package), **(env or {})}
    full_env.pop("GRADE_COURSE", None)
    proc = subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=60, cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def assert_documented_schema(doc: dict) -> None:
    """results.json as PrairieLearn documents it: types, score in [0, 1], points within max_points."""
    assert set(doc) <= DOCUMENTED
    assert isinstance(doc["gradable"], bool)
    assert len(json.dumps(doc).encode()) <= prairielearn.MAX_RESULTS_BYTES
    if not doc["gradable"]:
        assert isinstance(doc["format_errors"], list) and doc["format_errors"]
        assert all(isinstance(e, str) and "\n" not in e for e in doc["format_errors"])
        assert doc["tests"] == []
        return
    assert isinstance(doc["score"], float) and 0.0 <= doc["score"] <= 1.0
    assert isinstance(doc["message"], str) and isinstance(doc["output"], str)
    for test in doc["tests"]:
        assert set(test) == TEST_KEYS
        assert all(isinstance(test[k], str) for k in ("name", "description", "message", "output"))
        assert all(isinstance(test[k], (int, float)) for k in ("points", "max_points"))
        assert 0 <= test["points"] <= test["max_points"]
    total = sum(t["max_points"] for t in doc["tests"])
    assert doc["score"] == pytest.approx(sum(t["points"] for t in doc["tests"]) / total, abs=1e-6)


def sources(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.py"))}


# ---------------------------------------------------------------- the runner, as the image runs it


def test_does_the_reference_get_full_marks_through_the_entrypoint(package, tmp_path):
    doc = grade_root(package, tmp_path / "grade", sources(REFERENCE))
    assert_documented_schema(doc)
    assert doc["gradable"] is True and doc["score"] == 1.0
    assert [t["name"] for t in doc["tests"]] == check_ids()
    assert sum(t["max_points"] for t in doc["tests"]) == course_total()
    assert all(t["points"] == t["max_points"] for t in doc["tests"])


@pytest.mark.parametrize("assignment", [a.id for a in ASSIGNMENTS])
def test_does_a_package_grade_its_assignment_out_of_that_assignments_total(assignment, tmp_path):
    package = api.prairielearn(out=tmp_path / "pl", assignment=assignment, timeout=2, salt=SALT)
    entry = json.loads((package / "question" / "info.json").read_text())["externalGradingOptions"]["entrypoint"]
    assert entry[-2:] == ["--assignment", assignment]
    doc = grade_root(package, tmp_path / "grade", sources(REFERENCE))
    assert_documented_schema(doc)
    assert [t["name"] for t in doc["tests"]] == check_ids(assignment)
    assert doc["score"] == 1.0 and sum(t["max_points"] for t in doc["tests"]) == course_total(assignment)


def test_do_the_stubs_score_zero_and_stay_gradable(package, tmp_path):
    doc = grade_root(package, tmp_path / "grade", sources(TEMPLATE))
    assert_documented_schema(doc)
    assert doc["gradable"] is True and doc["score"] == 0.0 and len(doc["tests"]) == len(check_ids())


def test_is_an_empty_upload_not_gradable_with_a_one_line_reason(package, tmp_path):
    doc = grade_root(package, tmp_path / "grade", {})
    assert_documented_schema(doc)
    assert doc["gradable"] is False and "Traceback" not in doc["format_errors"][0]
    assert doc["message"] == doc["format_errors"][0]


def test_is_a_broken_notebook_not_gradable_and_named(package, tmp_path):
    a, b = default_pair()
    doc = grade_root(package, tmp_path / "grade", {f"{a}.ipynb": '{"cells": [', EXERCISES[b].file: REFERENCE.joinpath(
        EXERCISES[b].file).read_text()})
    assert_documented_schema(doc)
    assert doc["gradable"] is False and f"{a}.ipynb" in doc["format_errors"][0]


def test_is_a_working_notebook_graded(package, tmp_path):
    from conftest import split_cells

    nb = write_notebook(tmp_path / f"{FIRST}.ipynb", split_cells(REFERENCE.joinpath(FIRST_FILE).read_text()))
    doc = grade_root(package, tmp_path / "grade", {f"{FIRST}.ipynb": nb.read_bytes()})
    assert_documented_schema(doc)
    mine = [t for t in doc["tests"] if t["name"].startswith(f"{FIRST}.")]
    assert mine and all(t["points"] == t["max_points"] for t in mine)


def test_does_a_hanging_submission_cost_only_its_exercise_within_the_job_timeout(package, tmp_path):
    a, b = default_pair()
    started = time.monotonic()
    doc = grade_root(package, tmp_path / "grade", {EXERCISES[a].file: "while True:\n    pass\n",
                                                   EXERCISES[b].file: REFERENCE.joinpath(EXERCISES[b].file).read_text()})
    elapsed = time.monotonic() - started
    assert_documented_schema(doc)
    info = json.loads((package / "question" / "info.json").read_text())
    assert elapsed < info["externalGradingOptions"]["timeout"]
    assert doc["gradable"] is True
    points = {t["name"].split(".")[0]: 0.0 for t in doc["tests"]}
    for t in doc["tests"]:
        points[t["name"].split(".")[0]] += t["points"]
    assert points[a] == 0 and points[b] == exercise_points(b)
    assert "time limit" in doc["message"]


def test_can_student_code_read_the_reference_from_server_files(package, tmp_path):
    root = tmp_path / "grade"
    secret = root / "serverFilesCourse" / prairielearn.COURSE_DIR / "reference" / FIRST_FILE
    marker = max(REFERENCE.joinpath(FIRST_FILE).read_text().splitlines(), key=len).strip()
    thief = f"raise RuntimeError(max(open({str(secret)!r}).read().splitlines(), key=len))\n"
    doc = grade_root(package, root, {FIRST_FILE: thief})
    assert_documented_schema(doc)
    assert marker not in json.dumps(doc, ensure_ascii=False)
    if os.geteuid() == 0:                  # as root, the runner closes the course folder to other uids
        assert (root / "serverFilesCourse" / prairielearn.COURSE_DIR).stat().st_mode & 0o077 == 0


def test_is_an_image_from_another_build_reported_instead_of_graded(package, tmp_path):
    doc = grade_root(package, tmp_path / "grade", sources(REFERENCE), env={"GRADER_BUILD": "0123456789abcdef"})
    assert_documented_schema(doc)
    assert doc["gradable"] is False and "build" in doc["format_errors"][0]


def test_does_an_internal_failure_show_only_a_generic_reason(tmp_path, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("detail from inside the grader: /secret/path")

    monkeypatch.setattr(prairielearn, "_grade", broken)
    doc = prairielearn.run(tmp_path)
    assert_documented_schema(doc)
    written = (tmp_path / "results" / "results.json").read_text()
    assert doc["format_errors"] == [prairielearn.INTERNAL] and "secret" not in written
    assert "secret" not in capsys.readouterr().err


def test_are_oversized_results_cut_under_prairielearns_one_megabyte():
    big = {"gradable": True, "score": 0.0, "message": "m" * 5000, "output": "",
           "tests": [{"name": f"t{k}", "description": "", "points": 0.0, "max_points": 1.0,
                      "message": "x" * 100_000, "output": "y" * 10_000} for k in range(20)]}
    cut = prairielearn._within_limit(big)
    assert_documented_schema(cut)
    assert all("1 MB" in t["message"] for t in cut["tests"])


# ---------------------------------------------------------------- the package


def test_does_info_json_start_the_runner_the_dockerfile_installs(package):
    opts = json.loads((package / "question" / "info.json").read_text())["externalGradingOptions"]
    dockerfile = (package / "image" / "Dockerfile").read_text()
    build = image_env(package)["GRADER_BUILD"]
    assert opts["enabled"] is True and opts["enableNetworking"] is False
    assert opts["image"].endswith(f":{build}") and 0 < opts["timeout"] <= prairielearn.MAX_JOB_SECONDS
    assert opts["serverFilesCourse"] == [f"{prairielearn.COURSE_DIR}/"]
    default = ASSIGNMENTS[0].id
    assert opts["entrypoint"][1:] == ["-m", "grader.outputs.prairielearn", "run", "--root", "/grade", "--assignment", default]
    cmd = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    assert json.loads(cmd[4:]) == opts["entrypoint"][:-2]          # the image's default: the course folder's
    python = Path(opts["entrypoint"][0])
    assert python.is_absolute() and f"python -m venv {python.parent.parent}" in dockerfile
    assert f"{python.parent}/pip install /opt/backprop-grader/src" in dockerfile
    assert "COPY . /opt/backprop-grader/src" in dockerfile
    assert dockerfile.splitlines()[[line.startswith("FROM ") for line in dockerfile.splitlines()].index(True)] \
        .startswith("FROM python:3.")
    config = json.loads((package / "serverFilesCourse" / prairielearn.COURSE_DIR / prairielearn.CONFIG).read_text())
    assert config == {"assignment": default, "timeout": 2.0, "salt": SALT, "build": build, "allow_root": False}


def test_are_the_reference_and_salt_only_in_the_staff_course_folder(package):
    staff = package / "serverFilesCourse" / prairielearn.COURSE_DIR
    references = {p.read_bytes() for p in REFERENCE.rglob("*.py")}
    for path in package.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        inside = staff in path.parents
        if data in references:
            assert inside and (staff / "reference") in path.parents, path
        if SALT.encode() in data:
            assert path == staff / prairielearn.CONFIG, path
    assert not list((package / "image").rglob("reference")) and not list((package / "question").rglob("*.py"))
    assert all((staff / "reference" / "mutants" / f"{i}.py").is_file() for i, e in EXERCISES.items() if e.mutants)
    assert (staff / "course.toml").is_file() == COURSE.course_file.is_file()


def test_is_the_image_context_an_installable_project_offline(package, tmp_path):
    pytest.importorskip("setuptools")
    context = shutil.copytree(package / "image", tmp_path / "context")
    dist = tmp_path / "dist"
    proc = subprocess.run([sys.executable, "-c", f"from setuptools import build_meta; "
                                                 f"print(build_meta.build_sdist({str(dist)!r}))"],
                          cwd=context, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PIP_NO_INDEX": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    with tarfile.open(dist / proc.stdout.strip().splitlines()[-1]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        requires = tar.extractfile(next(m for m in tar.getmembers() if m.name.endswith("egg-info/requires.txt")))
        deps = requires.read().decode()
    assert {"grader/outputs/prairielearn.py", "grader/isolation/worker.py", "grader/isolation/zygote.py", "pyproject.toml"} <= names
    assert "numpy" in deps and "rich" in deps


def test_is_the_package_the_same_when_built_twice(tmp_path):
    first = api.prairielearn(out=tmp_path / "first", timeout=2, salt=SALT)
    again = api.prairielearn(out=tmp_path / "again", timeout=2, salt=SALT)

    def tree(root):
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert tree(again) == tree(first)
    api.prairielearn(out=again, timeout=3, salt=SALT)                # an earlier package is replaced
    assert json.loads((again / "serverFilesCourse" / prairielearn.COURSE_DIR / "prairielearn.json")
                      .read_text())["timeout"] == 3.0


def test_is_a_folder_that_is_not_a_package_left_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="not a package"):
        api.prairielearn(out=tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_is_a_salt_whose_hidden_cases_cannot_be_made_refused_at_build_time(tmp_path, monkeypatch):
    import grader.judging.engine

    def fails(course, exercise, *, instructor, salt=""):
        raise RuntimeError("could not draw inputs")

    monkeypatch.setattr(grader.judging.engine, "plan_exercise", fails)
    with pytest.raises(UsageError, match="another --salt"):
        api.prairielearn(out=tmp_path / "pl", salt="unlucky")
    assert not (tmp_path / "pl").exists()


def test_is_a_job_over_prairielearns_ten_minutes_refused(tmp_path):
    with pytest.raises(UsageError, match="600 s"):
        api.prairielearn(out=tmp_path / "pl", timeout=600 / len(assignment_ids()))


# ---------------------------------------------------------------- the CLI


def test_does_grade_prairielearn_write_the_package(tmp_path, capsys):
    from grader.cli import main

    assert main(["prairielearn", "--out", str(tmp_path / "pl"), "--timeout", "3"]) == 0
    assert (tmp_path / "pl" / "image" / "Dockerfile").is_file() and (tmp_path / "pl" / "README.md").is_file()
    assert "staff only" in capsys.readouterr().out


def test_does_grade_check_write_not_gradable_for_an_unreadable_submission(tmp_path, capsys):
    from grader.cli import main

    empty = tmp_path / "student"
    empty.mkdir()
    out = tmp_path / "results.json"
    assert main([str(empty), "--format", "prairielearn", "--json", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("grade:") and "\n" not in err
    doc = json.loads(out.read_text())
    assert_documented_schema(doc)
    assert doc["gradable"] is False and doc["format_errors"][0] in err
    native = tmp_path / "native.json"
    assert main([str(empty), "--json", str(native)]) == 2 and not native.exists()
