"""Questions about the machine report (grader.outputs.results, grader.outputs.schema)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from grader import api
from grader.outputs.schema import REPORT

from conftest import ASSIGNMENTS, BUGGY, REFERENCE, ROOT, TEMPLATE, assignment_ids, needs_bundled

SUBMISSIONS = {"reference": REFERENCE, "template": TEMPLATE}


@pytest.mark.course
@pytest.mark.parametrize("assignment", [a.id for a in ASSIGNMENTS])
@pytest.mark.parametrize("name", sorted(SUBMISSIONS))
def test_does_the_json_report_validate_against_schema_version_1(name, assignment, tmp_path):
    report = api.grade(SUBMISSIONS[name], assignment=assignment)
    out = tmp_path / "r.json"
    api.write_json(report, out)
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, REPORT)
    assert doc["schema_version"] == 1 and doc["assignment"] == assignment
    assert [e["id"] for e in doc["exercises"]] == assignment_ids(assignment)


@needs_bundled
def test_does_the_json_report_of_the_bundled_example_validate_against_schema_version_1(tmp_path):
    out = tmp_path / "r.json"
    api.write_json(api.grade(BUGGY), out)
    jsonschema.validate(json.loads(out.read_text()), REPORT)


@pytest.mark.course
def test_does_the_schema_reject_a_report_missing_a_stable_field():
    first = assignment_ids()[0]
    doc = api.grade(TEMPLATE, exercise=first).to_dict()
    del doc["exercises"][0]["checks"][0]["diagnosis"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, REPORT)
    doc = api.grade(TEMPLATE, exercise=first).to_dict()
    doc["exercises"][0]["checks"][0]["diagnosis"] = ["made_up_code"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, REPORT)


@needs_bundled
def test_do_scores_add_up():
    doc = api.grade(BUGGY).to_dict()
    assert doc["score"] == pytest.approx(sum(e["score"] for e in doc["exercises"]))
    for e in doc["exercises"]:
        assert e["score"] == pytest.approx(sum(c["score"] for c in e["checks"]))
        assert e["max_score"] == pytest.approx(sum(c["max_score"] for c in e["checks"]))
        for c in e["checks"]:
            assert c["score"] in (0, c["max_score"]) and (c["score"] > 0) == c["passed"]
            assert c["passed"] or c["diagnosis"]


@needs_bundled
def test_does_the_json_hold_no_absolute_paths_or_timings(monkeypatch):
    monkeypatch.chdir(ROOT)
    text = json.dumps(api.grade("examples/buggy_submission").to_dict())
    assert str(ROOT) not in text and "seconds" not in text


def test_does_every_free_text_field_of_the_json_show_control_and_bidi_characters_as_escapes():
    from grader.outputs.results import CheckResult, ExerciseResult, Report, Worst
    from grader.judging.values import Frame

    bad = "x\x1b[2J\x9b\u202e\ry"
    check = CheckResult(bad, bad, False, 0.0, 1.0, ("crashed",), message=bad, hint=bad,
                        worst=Worst(bad, (0,), 1.0, 2.0), expected_layout=bad, given_layout=bad,
                        frames=(Frame(bad, 3, bad, bad),))
    ex = ExerciseResult(bad, bad, "error", 0.0, 1.0, (check,), file=bad, message=bad, output=bad)
    report = Report(bad, "student", (ex,), isolation=(bad,), notes=(bad,), isolation_skipped=((bad, bad),),
                    assignment=bad)
    doc = report.to_dict()
    text = json.dumps(doc, ensure_ascii=False)
    assert not any(c in text for c in "\x1b\x9b\u202e\r")

    def strings(node):
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from strings(value)
        elif isinstance(node, list):
            for item in node:
                yield from strings(item)
        elif isinstance(node, str):
            yield node

    from_student = [s for s in strings(doc) if s.startswith("x")]
    # check: id, title, message, hint, worst case, both layouts, frame file, function, code (10); exercise: id,
    # title, file, message (4); report: submission, assignment, isolation, a skipped layer and its reason, notes (6)
    assert len(from_student) == 20
    assert set(from_student) == {"x\\x1b[2J\\x9b\\u202e\\ry"}
