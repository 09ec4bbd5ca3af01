"""Questions about structure checks before values (grader.structure)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.convention import Kind, Quantity
from grader.structure import Accepted, Rejected, as_labels, as_scalar, as_tensor
from grader.values import Value

Q = Quantity(Kind.COLUMN, "z", ("out", "1"))


def arr(a):
    a = np.asarray(a)
    return Value("array", a, a.dtype.name, shape=a.shape)


def test_is_a_float64_array_of_the_exact_shape_accepted():
    st = as_tensor(arr(np.random.default_rng(0).standard_normal((3, 1))), (3, 1), Q)
    assert isinstance(st, Accepted) and st.precision == "f64"


def test_is_float32_accepted_and_marked():
    st = as_tensor(arr(np.full((3, 1), 0.1, dtype=np.float32)), (3, 1), Q)
    assert isinstance(st, Accepted) and st.precision == "f32"


@pytest.mark.parametrize("value, code", [
    (Value("subclass", np.ones((3, 1)), "matrix", shape=(3, 1)), "wrong_type"),
    (arr(np.ones((3, 1), dtype=int)), "wrong_type"),
    (arr(np.ones((3, 1), dtype=np.float16)), "wrong_type"),
    (arr(np.ones((3, 1), dtype=bool)), "wrong_type"),
    (Value("seq", None, "list", (Value("scalar", np.asarray(1.0), "float"),)), "wrong_type"),
    (Value("none"), "wrong_type"),
    (Value("badarray", None, "object", shape=(3,)), "wrong_type"),
    (arr(np.ones(3)), "wrong_shape"),
    (arr(np.ones((1, 3))), "layout_transposed"),
    (arr(np.array([[1.0], [np.nan], [2.0]])), "non_finite"),
])
def test_is_each_structural_problem_rejected_with_its_code(value, code):
    st = as_tensor(value, (3, 1), Q)
    assert isinstance(st, Rejected) and code in st.codes


def test_does_returning_none_suggest_a_forgotten_return():
    st = as_tensor(Value("none"), (3, 1), Q)
    assert "return" in st.words


@pytest.mark.parametrize("value", [
    Value("scalar", np.asarray(0.5), "float"),
    Value("scalar", np.asarray(np.float64(0.5)), "numpy.float64"),
    arr(np.array(0.5)),
    arr(np.array([[0.5]])),
])
def test_are_the_four_scalar_forms_accepted(value):
    st = as_scalar(value)
    assert isinstance(st, Accepted) and float(st.array) == 0.5


@pytest.mark.parametrize("value, code", [
    (arr(np.array([0.5])), "wrong_shape"),
    (Value("scalar", np.asarray(1), "int"), "wrong_type"),
    (Value("scalar", np.asarray(np.inf), "float"), "non_finite"),
    (Value("other", None, "builtins.str"), "wrong_type"),
])
def test_are_other_scalar_forms_rejected(value, code):
    st = as_scalar(value)
    assert isinstance(st, Rejected) and code in st.codes


def test_are_labels_plus_minus_one_in_ints_or_floats():
    assert isinstance(as_labels(arr(np.array([1, -1, 1])), (3,)), Accepted)
    assert isinstance(as_labels(arr(np.array([1.0, -1.0, 1.0])), (3,)), Accepted)
    bad = as_labels(arr(np.array([1, 0, 1])), (3,))
    assert isinstance(bad, Rejected) and "other than +1 and -1" in bad.words
    column = as_labels(arr(np.array([[1], [-1], [1]])), (3,))
    assert isinstance(column, Rejected) and column.codes == ("wrong_shape",)
