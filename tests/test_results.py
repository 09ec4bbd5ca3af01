"""Questions about the machine report (grader.results, grader.schema)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from grader import api
from grader.schema import REPORT

from conftest import ROOT, TEMPLATE

SUBMISSIONS = {"reference": ROOT / "reference", "template": TEMPLATE, "buggy": ROOT / "examples" / "buggy_submission"}


@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_does_the_json_report_validate_against_schema_version_1(name, tmp_path):
    report = api.grade(SUBMISSIONS[name])
    out = tmp_path / "r.json"
    api.write_json(report, out)
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, REPORT)
    assert doc["schema_version"] == 1


def test_does_the_schema_reject_a_report_missing_a_stable_field():
    doc = api.grade(TEMPLATE, exercise="fc").to_dict()
    del doc["exercises"][0]["checks"][0]["diagnosis"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, REPORT)
    doc = api.grade(TEMPLATE, exercise="fc").to_dict()
    doc["exercises"][0]["checks"][0]["diagnosis"] = ["made_up_code"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, REPORT)


def test_do_scores_add_up():
    doc = api.grade(SUBMISSIONS["buggy"]).to_dict()
    assert doc["score"] == pytest.approx(sum(e["score"] for e in doc["exercises"]))
    for e in doc["exercises"]:
        assert e["score"] == pytest.approx(sum(c["score"] for c in e["checks"]))
        assert e["max_score"] == pytest.approx(sum(c["max_score"] for c in e["checks"]))
        for c in e["checks"]:
            assert c["score"] in (0, c["max_score"]) and (c["score"] > 0) == c["passed"]
            assert c["passed"] or c["diagnosis"]


def test_does_the_json_hold_no_absolute_paths_or_timings(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = json.dumps(api.grade("examples/buggy_submission").to_dict())
    assert str(ROOT) not in text and "seconds" not in text
