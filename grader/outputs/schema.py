"""JSON Schema (draft 2020-12) of the machine report written by `grade --json`.

Schema version 1. Names listed as required are stable. New optional fields
may be added within version 1 (consumers must ignore fields they do not
know, and must not rely on an optional field being present); removing or
renaming a field, or changing its meaning or type, needs version 2.
Added within version 1: `causes` on each exercise; `assignment`, the id of
the assignment graded (see course.toml).
"""

from __future__ import annotations

from grader.judging.diagnosis import ALL_CODES
from grader.outputs.results import STATUSES

_NUMBER_OR_NULL = {"type": ["number", "null"]}

CHECK = {
    "type": "object",
    "required": ["id", "passed", "score", "max_score", "diagnosis", "message", "max_rel_error"],
    "properties": {
        "id": {"type": "string", "pattern": r"^[a-z0-9_]+(\.[A-Za-z0-9_]+)+$"},
        "title": {"type": "string"},
        "passed": {"type": "boolean"},
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "diagnosis": {"type": "array", "items": {"enum": list(ALL_CODES)}, "uniqueItems": True},
        "message": {"type": "string"},
        "hint": {"type": "string"},
        "max_rel_error": _NUMBER_OR_NULL,
        "cases": {"type": "array", "items": {
            "type": "object", "required": ["visibility", "passed", "total"],
            "properties": {"visibility": {"enum": ["public", "hidden", "numeric", "probe"]},
                           "passed": {"type": "integer", "minimum": 0},
                           "total": {"type": "integer", "minimum": 0}}}},
        "worst": {"type": "object", "required": ["case", "index", "expected", "given"],
                  "properties": {"case": {"type": "string"},
                                 "index": {"type": "array", "items": {"type": "integer"}},
                                 "expected": _NUMBER_OR_NULL, "given": _NUMBER_OR_NULL}},
        "expected_layout": {"type": "string"},
        "given_layout": {"type": "string"},
        "frames": {"type": "array", "items": {
            "type": "object", "required": ["file", "line"],
            "properties": {"file": {"type": "string"}, "line": {"type": "integer"},
                           "function": {"type": "string"}, "code": {"type": "string"}}}},
    },
}

EXERCISE = {
    "type": "object",
    "required": ["id", "status", "score", "max_score", "checks"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "status": {"enum": list(STATUSES)},
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "file": {"type": "string"},
        "message": {"type": "string"},
        "cases": {"type": "object", "additionalProperties": {"type": "integer"}},
        "checks": {"type": "array", "items": CHECK},
        # Failing checks that share one root cause (`grader.outputs.results.group_by_cause`), two or more per entry.
        "causes": {"type": "array", "items": {
            "type": "object", "required": ["summary", "checks"],
            "properties": {"summary": {"type": "string"},
                           "checks": {"type": "array", "items": {"type": "string"}, "minItems": 2,
                                      "uniqueItems": True}}}},
    },
}

REPORT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "backprop-grader report",
    "type": "object",
    "required": ["schema_version", "submission", "score", "max_score", "exercises"],
    "properties": {
        "schema_version": {"const": 1},
        "submission": {"type": "string"},
        "assignment": {"type": "string"},
        "mode": {"enum": ["student", "instructor"]},
        "isolation": {"type": "array", "items": {"type": "string"}},
        "isolation_skipped": {"type": "object", "additionalProperties": {"type": "string"}},
        "worker_uid": {"type": ["integer", "null"]},
        "notes": {"type": "array", "items": {"type": "string"}},
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "exercises": {"type": "array", "items": EXERCISE},
    },
}
