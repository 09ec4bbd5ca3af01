"""Questions about explaining exceptions from student code in the student's terms (grader.judging.explain)."""

from __future__ import annotations

import pytest

from grader.judging.explain import cause_of, hint_for
from grader.judging.values import Frame, StepError

_OPERAND_0 = ("matmul: Input operand 0 does not have enough dimensions (has 0, gufunc core with signature "
              "(n?,k),(k,m?)->(n?,m?) requires 1)")


def crash(exc: str, message: str, code: str, line: int = 49) -> StepError:
    return StepError("crashed", exc, message, (Frame("fc.py", line, "backward", code),))


@pytest.mark.parametrize("exc, message, code", [
    ("ValueError", _OPERAND_0, "self.dW = (self.x @ dz).T"),
    ("AttributeError", "'NoneType' object has no attribute 'T'", "self.dW = dz.T @ self.x.T"),
    ("TypeError", "'>' not supported between instances of 'NoneType' and 'int'", "mask = (self.x > 0).T"),
    ("TypeError", "unsupported operand type(s) for *: 'NoneType' and 'float'", "return self.x * (1.0 - self.W)"),
])
def test_is_an_attribute_never_stored_named_as_none(exc, message, code):
    hint = hint_for(crash(exc, message, code))
    assert "`self.x`" in hint and "None" in hint and "self.W" not in hint


@pytest.mark.parametrize("message, words", [
    ("shapes (1,3) and (5,1) not aligned: 3 (dim 1) != 5 (dim 0)", "a row (1, 3) and B is a column (5, 1)"),
    ("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc signature (n?,k),(k,m?)->(n?,m?) "
     "(size 5 is different from 1)", "columns of A (1) must equal the number of rows of B (5)"),
    ("non-broadcastable output operand with shape (1,2) doesn't match the broadcast shape (2,2)", "a row (1, 2)"),
    ("operands could not be broadcast together with shapes (1,3) (5,1) ", "a row (1, 3) and a column (5, 1)"),
])
def test_is_a_row_used_for_a_column_explained_with_the_convention(message, words):
    hint = hint_for(crash("ValueError", message, "self.dW = dz @ self.x"))
    assert words in hint and "a vector is a column (n, 1)" in hint


def test_is_an_unrelated_exception_left_without_a_hint():
    assert hint_for(crash("KeyError", "'a'", "d['a']")) == ""


def test_does_one_crash_give_one_cause_whichever_call_led_to_it():
    err = crash("ValueError", _OPERAND_0, "self.dW = (self.x @ dz).T")
    assert cause_of(err, "Linear.backward(dz) raised ...", "Linear.backward(dz)") == \
        cause_of(err, "could not check: Linear.backward(dz) raised ...", "Linear.backward(dz)")
    assert "fc.py, line 49" in cause_of(err, "", "")
    assert cause_of(err, "", "") != cause_of(crash("ValueError", _OPERAND_0, "", line=50), "", "")
