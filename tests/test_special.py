"""Questions about special checks: plain functions recorded as steps (grader.judging.special)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.authoring.declare import read_interface
from grader.errors import CourseError
from grader.judging.special import ResultMisuse, record, special

from conftest import COURSE, needs

PAIR = '''
def f_forward(x):
    """x: (N, D).

    returns (out, cache). out: (N, D); cache: for f_backward.
    """


def f_backward(dout, cache):
    """dout: (N, D); cache: from f_forward; returns dx: (N, D)."""
'''


@pytest.fixture
def interface(tmp_path):
    path = tmp_path / "f.py"
    path.write_text(PAIR, encoding="utf-8")
    return read_interface(path)


def test_are_calls_recorded_as_steps_with_the_arrays_as_inputs(interface):
    @special
    def twice(student, case):
        """f is deterministic."""
        out, cache = student.f_forward(case["x"])
        again, _ = student.f_forward(case["x"] + 1.0)
        student.expect_close(student.f_backward(case["x"], cache), out)
        student.expect_finite(again)

    x = np.arange(6.0).reshape(2, 3)
    rec = record(twice, interface, {"x": x})
    ops = [(s.op, s.target, s.keep) for s in rec.steps]
    assert ops[0] == ("func", "f_forward", True) and rec.steps[0].hold == (0, 1)
    assert [o for o in ops if o[0] == "func"] == [("func", "f_forward", True), ("func", "f_forward", True),
                                                   ("func", "f_backward", True)]
    forwards = [s.out for s in rec.steps if s.target == "f_forward"]
    picks = [[(s.name, s.keep) for s in rec.steps if s.op == "pick" and s.target == f] for f in forwards]
    # The compared items travel back; an unpacked cache and an unused item stay in the worker.
    assert picks == [[("0", True), ("1", False)], [("0", True), ("1", False)]]
    sent = [a.name for s in rec.steps if s.target == "f_forward" for a in s.args]
    assert [n.rsplit("_", 1)[0] for n in sent] == ["x", "x"]
    assert np.array_equal(rec.inputs[sent[0]], x) and np.array_equal(rec.inputs[sent[1]], x + 1.0)
    assert [c[0] for c in rec.comparisons] == ["close", "finite"]


def test_is_arithmetic_on_a_students_result_refused(interface):
    @special
    def computes(student, case):
        out, _ = student.f_forward(case["x"])
        student.expect_close(out * 2.0, case["x"])

    with pytest.raises(ResultMisuse) as caught:
        record(computes, interface, {"x": np.ones((2, 3))})
    assert "never compute with them" in str(caught.value)


def test_is_a_result_passed_back_refused_unless_it_is_an_item_of_a_tuple(interface):
    @special
    def passes_back(student, case):
        out, cache = student.f_forward(case["x"])
        student.f_backward(student.f_backward(case["x"], cache), cache)

    with pytest.raises(ResultMisuse):
        record(passes_back, interface, {"x": np.ones((2, 3))})


def test_is_a_call_to_a_name_the_reference_lacks_refused(interface):
    @special
    def typo(student, case):
        student.f_forwrd(case["x"])

    with pytest.raises(CourseError) as caught:
        record(typo, interface, {"x": np.ones((2, 3))})
    assert "student.f_forwrd" in str(caught.value)


def test_is_an_unknown_diagnosis_code_refused():
    with pytest.raises(CourseError):
        special(diagnosis="no_such_code")


@needs("softmax_ce")
def test_does_the_own_cache_check_pass_the_reference_and_catch_module_state(tmp_path):
    from grader import api

    ref = COURSE.reference_dir / "softmax_ce.py"
    good = tmp_path / "good"
    good.mkdir()
    (good / "softmax_ce.py").write_text(ref.read_text(encoding="utf-8"), encoding="utf-8")
    report = api.grade(good, exercise="softmax_ce", mode="instructor")
    (own,) = [c for e in report.exercises for c in e.checks if c.id == "softmax_ce.own_cache"]
    assert own.passed
    bad = tmp_path / "bad"
    bad.mkdir()
    source = (COURSE.root / "tests" / "corpus" / "softmax_ce" / "buggy" / "module_state.py")
    if not source.is_file():
        pytest.skip("the corpus is not next to this course")
    (bad / "softmax_ce.py").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    report = api.grade(bad, exercise="softmax_ce", mode="instructor")
    failing = {c.id: c for e in report.exercises for c in e.checks if not c.passed}
    assert list(failing) == ["softmax_ce.own_cache"] and failing["softmax_ce.own_cache"].diagnosis == ("stale_cache",)
