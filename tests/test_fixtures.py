"""Questions about the stored public cases (grader.fixtures) and their drift from the reference."""

from __future__ import annotations

import json

import numpy as np
import pytest

from grader import api, fixtures
from grader.build import expected_files
from grader.course import find_course
from grader.errors import CourseError
from grader.values import Value


def test_do_values_round_trip_through_json_exactly():
    a = np.random.default_rng(0).standard_normal((3, 2))
    v = Value("seq", None, "tuple", (Value("array", a, "float64", shape=a.shape),
                                      Value("scalar", np.asarray(0.1 + 0.2), "float")))
    back = fixtures.value_from(json.loads(json.dumps(fixtures.value_json(v, "t"))))
    assert np.array_equal(back.items[0].array, a) and back.items[1].array.item() == 0.1 + 0.2


def test_is_a_non_finite_expected_value_refused_at_build_time():
    with pytest.raises(ValueError, match="non-finite"):
        fixtures.value_json(Value("scalar", np.asarray(np.inf), "float"), "t/L")


def test_do_the_committed_public_cases_match_the_reference():
    """Public cases are generated: inputs must be identical and expected values agree to 1e-12."""
    course = find_course()
    for path, text in expected_files(course).items():
        if path.name != "public_cases.json":
            continue
        want = json.loads(text)
        have = json.loads(path.read_text(encoding="utf-8"))
        assert [t["name"] for t in have["trials"]] == [t["name"] for t in want["trials"]], path
        for tw, th in zip(want["trials"], have["trials"]):
            assert th["inputs"] == tw["inputs"], f"{path}: inputs of {tw['name']} drifted: run `grade build`"
            assert th["expected"].keys() == tw["expected"].keys()
            for key in tw["expected"]:
                a, b = fixtures.value_from(th["expected"][key]), fixtures.value_from(tw["expected"][key])
                flat_a, flat_b = _flat(a), _flat(b)
                assert len(flat_a) == len(flat_b)
                for x, y in zip(flat_a, flat_b):
                    assert x.shape == y.shape and np.allclose(x, y, rtol=1e-12, atol=1e-15), (path, key)


def _flat(v):
    if v.kind == "seq":
        return [a for item in v.items for a in _flat(item)]
    return [np.asarray(v.array, dtype=np.float64)] if v.array is not None else []


def test_is_a_damaged_fixture_reported_in_one_line(tmp_path):
    bad = tmp_path / "public_cases.json"
    bad.write_text('{"format": 1, "exercise": "fc", "trials": [{"name": 3}]}')
    with pytest.raises(CourseError, match="damaged"):
        fixtures.load(bad, "fc")
    with pytest.raises(CourseError, match="grade build"):
        fixtures.load(tmp_path / "absent.json", "fc")


def test_is_the_fixture_text_deterministic():
    course = find_course()
    assert expected_files(course, ["fc"]) == expected_files(course, ["fc"])
    assert api.build(check=True).checked_only
