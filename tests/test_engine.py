"""Questions about grading whole submissions end to end (grader.judging.engine via grader.api)."""

from __future__ import annotations

import json

import pytest

from grader import api
from grader.outputs.results import Report

from conftest import (ASSIGNMENTS, BUGGY, COURSE, EXERCISES, REFERENCE, TEMPLATE, assignment_ids, checks_by_id,
                      course_total, exercise_points, failing_ids, needs, needs_bundled, patch, reference_source)

MODES = ("instructor", "student")


@pytest.mark.course
@pytest.mark.parametrize("assignment", [a.id for a in ASSIGNMENTS])
@pytest.mark.parametrize("mode", MODES)
def test_does_the_reference_score_full_marks(mode, assignment):
    report = api.grade(REFERENCE, mode=mode, assignment=assignment)
    assert report.mode == mode and report.assignment == assignment
    assert [e.id for e in report.exercises] == assignment_ids(assignment)
    assert report.score == report.max_score == course_total(assignment) > 0
    assert all(e.status == "graded" for e in report.exercises)
    assert report.all_passed


@needs("fc")
def test_does_instructor_mode_run_hidden_cases_and_student_mode_numeric_ones():
    inst = api.grade(REFERENCE, mode="instructor", exercise="fc")
    stud = api.grade(REFERENCE, mode="student", exercise="fc")
    vis = lambda r: {c.visibility for c in checks_by_id(r)["fc.backward.dW"].cases}  # noqa: E731
    assert vis(inst) == {"public", "hidden"}
    assert vis(stud) == {"public", "numeric"}


@pytest.mark.course
@pytest.mark.parametrize("assignment", [a.id for a in ASSIGNMENTS])
@pytest.mark.parametrize("mode", MODES)
def test_does_the_student_template_score_zero_with_not_implemented_everywhere(mode, assignment):
    report = api.grade(TEMPLATE, mode=mode, assignment=assignment)
    assert [e.id for e in report.exercises] == assignment_ids(assignment)
    assert report.score == 0 and report.max_score == course_total(assignment)
    for check in checks_by_id(report).values():
        assert check.diagnosis == ("not_implemented",), (check.id, check.diagnosis, check.message)


FLOAT32 = {
    "fc": [("        self.W = W\n        self.b = b\n",
            "        self.W = W.astype(np.float32)\n        self.b = b.astype(np.float32)\n"),
           ("        self.x = x\n        return self.W @ x + self.b\n",
            "        self.x = x.astype(np.float32)\n        return self.W @ self.x + self.b\n"),
           ("        self.dW = dz.T @ self.x.T\n", "        dz = dz.astype(np.float32)\n        self.dW = dz.T @ self.x.T\n")],
    "relu": [("        self.x = x\n        return np.maximum(x, 0.0)\n",
              "        self.x = x.astype(np.float32)\n        return np.maximum(self.x, np.float32(0))\n"),
             ("        return dz * mask\n", "        return dz.astype(np.float32) * mask\n"),
             ("        return np.diag((x[:, 0] > 0).astype(float))\n",
              "        return np.diag((x[:, 0] > 0).astype(np.float32))\n")],
    "scanning_mlp": [
        ("        self.W1, self.b1 = W1, b1\n        self.W2, self.b2 = W2, b2\n        self.W3, self.b3 = W3, b3\n",
         "        f = np.float32\n        self.W1, self.b1 = W1.astype(f), b1.astype(f)\n"
         "        self.W2, self.b2 = W2.astype(f), b2.astype(f)\n        self.W3, self.b3 = W3.astype(f), b3.astype(f)\n"),
        ("        T = X.shape[0]\n", "        X = X.astype(np.float32)\n        T = X.shape[0]\n"),
        ("        self.dW1 = np.zeros_like(self.W1, dtype=float)\n        self.dW2 = np.zeros_like(self.W2, dtype=float)\n"
         "        self.dW3 = np.zeros_like(self.W3, dtype=float)\n"
         "        self.db1 = np.zeros((1, self.W1.shape[0]))\n        self.db2 = np.zeros((1, self.W2.shape[0]))\n"
         "        self.db3 = np.zeros((1, self.W3.shape[0]))\n        dX = np.zeros((1, self.T))\n",
         "        f = np.float32\n        dO = dO.astype(f)\n"
         "        self.dW1, self.dW2, self.dW3 = (np.zeros_like(self.W1), np.zeros_like(self.W2), np.zeros_like(self.W3))\n"
         "        self.db1 = np.zeros((1, self.W1.shape[0]), f)\n        self.db2 = np.zeros((1, self.W2.shape[0]), f)\n"
         "        self.db3 = np.zeros((1, self.W3.shape[0]), f)\n        dX = np.zeros((1, self.T), f)\n")],
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("exercise", sorted(FLOAT32))
def test_does_a_correct_float32_implementation_get_full_marks(exercise, mode, grade_sources):
    if exercise not in EXERCISES:
        pytest.skip(f"the course under test has no exercise {exercise}")
    source = reference_source(exercise)
    for old, new in FLOAT32[exercise]:
        source = patch(source, old, new)
    report = grade_sources({exercise: source}, mode=mode, exercise=exercise)
    assert failing_ids(report) == set(), [c.message for c in checks_by_id(report).values() if not c.passed]
    probe = checks_by_id(report)[f"{exercise}.forward"]
    assert probe.max_rel_error > 1e-10    # the float32 arithmetic really happened


@pytest.mark.course
def test_is_an_absent_file_missing_while_the_others_are_graded(grade_sources):
    first, *rest = assignment_ids()
    report = grade_sources({first: reference_source(first)})
    status = {e.id: e.status for e in report.exercises}
    assert status == {first: "graded", **{i: "missing" for i in rest}}
    missing = [c for e in report.exercises if e.id != first for c in e.checks]
    assert all(c.diagnosis == ("missing",) and c.score == 0 for c in missing)
    assert report.score == exercise_points(first) and report.max_score == course_total()


@needs("fc", "relu")
def test_does_a_dying_exercise_leave_the_others_untouched(grade_sources):
    dying = patch(reference_source("relu"), "        self.x = x\n        return np.maximum(x, 0.0)\n",
                  "        import os\n        os._exit(0)\n")
    report = grade_sources({"fc": reference_source("fc"), "relu": dying})
    by_id = {e.id: e for e in report.exercises}
    assert by_id["fc"].score == by_id["fc"].max_score
    assert by_id["relu"].status == "crashed" and by_id["relu"].score == 0
    assert "exited with code 0" in by_id["relu"].message


@needs("fc", "scanning_mlp")
def test_is_a_hanging_exercise_stopped_at_the_timeout_and_the_others_graded(grade_sources):
    hanging = patch(reference_source("scanning_mlp"), "        T = X.shape[0]\n",
                    "        import time\n        time.sleep(100)\n        T = X.shape[0]\n")
    report = grade_sources({"fc": reference_source("fc"), "scanning_mlp": hanging}, timeout=2)
    by_id = {e.id: e for e in report.exercises}
    assert by_id["scanning_mlp"].status == "timeout" and by_id["scanning_mlp"].score == 0
    assert by_id["fc"].score == by_id["fc"].max_score
    assert report.seconds < 8


@pytest.mark.course
def test_is_a_syntax_error_an_error_status_with_a_one_line_reason(grade_sources):
    first = assignment_ids()[0]
    report = grade_sources({first: "class Broken(:\n    pass\n"})
    ex = report.exercises[0]
    assert ex.id == first and len(ex.checks) == len(EXERCISES[first].checks)
    assert ex.status == "error" and "SyntaxError" in ex.message and "\n" not in ex.message
    assert all(not c.passed for c in ex.checks)


@needs_bundled
def test_does_grading_twice_give_identical_json(tmp_path):
    a = api.grade(BUGGY)
    b = api.grade(BUGGY)
    assert json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)


@needs("fc")
def test_does_the_hidden_salt_change_hidden_inputs_but_not_public_ones():
    from grader.judging.engine import plan_exercise

    course = COURSE
    ex = course.exercise("fc")
    a = plan_exercise(course, ex, instructor=True, salt="")
    b = plan_exercise(course, ex, instructor=True, salt="course-secret")
    pub = lambda p: [t.inputs["W"].tolist() for t in p.trials if t.visibility == "public" and "W" in t.inputs]  # noqa: E731
    hid = lambda p: [t.inputs["W"].tolist() for t in p.trials if t.visibility == "hidden" and "W" in t.inputs]  # noqa: E731
    assert pub(a) and hid(a)
    assert pub(a) == pub(b) and hid(a) != hid(b)


@pytest.mark.course
def test_do_hidden_cases_use_shapes_other_than_the_public_ones():
    from grader.judging.engine import plan_exercise

    course = COURSE
    for ex in course.exercises():
        plan = plan_exercise(course, ex, instructor=True)
        shapes = lambda vis: {tuple(v.shape) for t in plan.trials if t.visibility == vis  # noqa: E731
                              for v in t.inputs.values() if hasattr(v, "shape")}
        assert shapes("hidden") - shapes("public"), ex.id


@pytest.mark.course
def test_is_the_report_a_plain_frozen_dataclass():
    import dataclasses

    report = api.grade(REFERENCE, exercise=assignment_ids()[0])
    assert isinstance(report, Report) and dataclasses.is_dataclass(report)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.mode = "x"
