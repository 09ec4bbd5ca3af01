"""Questions about the stored public cases (grader.authoring.fixtures) and their drift from the reference."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from grader import api
from grader.authoring import fixtures
from grader.authoring.build import build, expected_files
from grader.authoring.course import Course, find_course
from grader.errors import CourseError
from grader.judging.values import Value

from conftest import needs


def test_do_values_round_trip_through_json_exactly():
    a = np.random.default_rng(0).standard_normal((3, 2))
    v = Value("seq", None, "tuple", (Value("array", a, "float64", shape=a.shape),
                                      Value("scalar", np.asarray(0.1 + 0.2), "float")))
    back = fixtures.value_from(json.loads(json.dumps(fixtures.value_json(v, "t"))))
    assert np.array_equal(back.items[0].array, a) and back.items[1].array.item() == 0.1 + 0.2


def test_is_a_non_finite_expected_value_refused_at_build_time():
    with pytest.raises(ValueError, match="non-finite"):
        fixtures.value_json(Value("scalar", np.asarray(np.inf), "float"), "t/L")


@pytest.mark.course
def test_do_the_committed_public_cases_match_the_reference():
    """Public cases are generated: inputs identical, computed values equal up to last-bit BLAS noise."""
    course = find_course()
    compared = 0
    for path, text in expected_files(course).items():
        if path.name != fixtures.FILE_NAME:
            continue
        reason = fixtures.drift(path.read_text(encoding="utf-8"), text)
        assert reason is None, f"{path.relative_to(course.root)} drifted ({reason}): run `grade build`"
        compared += 1
    assert compared == len(course.exercises())


def _fixture_text():
    a = np.random.default_rng(1).standard_normal((2, 3))
    trial = fixtures.StoredTrial("public-1", "main", {"x": a, "y": 1},
                                 {"z": Value("array", 2 * a, "float64", shape=a.shape)},
                                 {"m": 3 * a}, {"z": (a, a)})
    return fixtures.dumps("fc", [trial])


def _nudge(text, section, factor):
    doc = json.loads(text)
    node = doc["trials"][0][section]
    node = {"inputs": lambda: node["x"]["array"], "expected": lambda: node["z"],
            "mutants": lambda: node["m"], "parts": lambda: node["z"][1]}[section]()
    node["data"][2] *= factor
    return json.dumps(doc)


@pytest.mark.parametrize("section", ["expected", "mutants", "parts"])
def test_does_drift_ignore_last_bit_noise_in_computed_values_only(section):
    text = _fixture_text()
    assert fixtures.drift(text, text) is None
    assert fixtures.drift(_nudge(text, section, 1 + 4e-16), text) is None
    assert fixtures.drift(_nudge(text, section, 1 + 1e-9), text) is not None


def test_does_drift_demand_bit_identical_inputs():
    text = _fixture_text()
    reason = fixtures.drift(_nudge(text, "inputs", 1 + 4e-16), text)
    assert reason is not None and "/inputs/x" in reason


def test_does_drift_catch_a_renamed_or_missing_trial():
    text = _fixture_text()
    assert "name" in fixtures.drift(text.replace('"public-1"', '"public-2"'), text)
    doc = json.loads(text)
    doc["trials"] = []
    assert "items" in fixtures.drift(json.dumps(doc), text)


@needs("fc")
def test_does_build_check_accept_last_bit_noise_but_not_a_real_change(tmp_path):
    """`grade build --check` on a copy of the course, with one fixture perturbed."""
    course = find_course()
    copy = _copy_course(course, tmp_path)
    path = copy.fixture_path("fc")
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    data = next(v["data"] for v in doc["trials"][0]["expected"].values() if "data" in v)
    data[0] *= 1 + 4e-16
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert str(path.relative_to(copy.root)) in build(copy, check=True, exercise_ids=["fc"]).unchanged
    data[0] *= 1 + 1e-9
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert str(path.relative_to(copy.root)) in build(copy, check=True, exercise_ids=["fc"]).changed


def _copy_course(course, dest):
    for name in ("exercises", "reference", "student_template"):
        shutil.copytree(course.root / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    if course.course_file.is_file():
        shutil.copy(course.course_file, dest / "course.toml")
    return Course(dest)


def test_is_a_damaged_fixture_reported_in_one_line(tmp_path):
    bad = tmp_path / "public_cases.json"
    bad.write_text('{"format": 1, "exercise": "fc", "trials": [{"name": 3}]}')
    with pytest.raises(CourseError, match="damaged"):
        fixtures.load(bad, "fc")
    with pytest.raises(CourseError, match="grade build"):
        fixtures.load(tmp_path / "absent.json", "fc")


@pytest.mark.course
def test_is_the_fixture_text_deterministic():
    course = find_course()
    first = course.exercise_ids(course.assignment(None).id)[:1]
    assert expected_files(course, first) == expected_files(course, first)
    assert api.build(check=True).checked_only
