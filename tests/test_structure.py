"""Questions about structure checks before values (grader.judging.structure)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.judging.convention import Kind, Quantity
from grader.judging.structure import Accepted, Rejected, as_labels, as_scalar, as_tensor
from grader.judging.values import Value

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


# -- the batch convention through a value check ------------------------------------------------------------------

from grader.judging import diagnosis as dx  # noqa: E402
from grader.judging.convention import get_convention  # noqa: E402

N, D, M = 6, 3, 4
RNG = np.random.default_rng(7)
GRADS = (RNG.standard_normal((N, D)), RNG.standard_normal((D, M)), RNG.standard_normal((M,)))


def _judge(returned, *, check_hints=(), exercise_hints=None, words=()):
    """Grade a backward returning (dx, dw, db) in the batch convention: {check id: CheckResult}."""
    from grader.judging.checks import CheckContext, Target, ValueCheck
    from grader.isolation.script import In, func
    from grader.authoring.spec import Exercise
    from grader.judging.trial import Expectation, Trial
    from grader.judging.values import Outcome

    qs = {"dx": Quantity(Kind.GRADIENT, "∇_x L", ("N", "D"), "x", convention="batch"),
          "dw": Quantity(Kind.GRADIENT, "∇_w L", ("D", "M"), "w", convention="batch", words=words),
          "db": Quantity(Kind.GRADIENT, "∇_b L", ("M",), "b", convention="batch")}
    checks = tuple(ValueCheck(f"toy.backward.{name}", name, 1, targets=(Target("grads", q, i),),
                              hints=check_hints if name == "dw" else ())
                   for i, (name, q) in enumerate(qs.items()))
    steps = (func("grads", "dense_backward", In("dout")),)
    ex = Exercise("toy", "Toy", "toy.py", 1, {"main": steps}, lambda *a: {}, (), (), checks,
                  hints=exercise_hints or {})
    trial = Trial("public-1", "main", steps, {"dout": np.zeros((N, M))}, "public")

    def seq(arrays):
        return Value("seq", None, "tuple", tuple(arr(a) for a in arrays))
    ctx = CheckContext("toy", "toy.py", (trial,), {"public-1": {"grads": Outcome(seq(returned))}},
                       {"public-1": {"grads": Expectation(seq(GRADS))}}, exercise=ex)
    return {c.id.rsplit(".", 1)[1]: c.evaluate(ctx) for c in checks}


def test_does_as_tensor_name_another_results_shape_only_when_given_the_other_shapes():
    q = Quantity(Kind.GRADIENT, "∇_x L", ("N", "D"), "x", convention="batch")
    named = as_tensor(arr(np.ones((D, M))), (N, D), q, others={"∇_w L": (D, M)})
    plain = as_tensor(arr(np.ones((D, M))), (N, D), q)
    assert isinstance(named, Rejected) and "in the place of ∇_x L" in named.words
    assert isinstance(plain, Rejected) and "in the place of" not in plain.words


def test_is_a_weight_gradient_returned_in_the_place_of_the_input_gradient_named_by_the_value_check():
    dx_, dw, db = GRADS
    r = _judge((dw, dw, db))
    assert not r["dx"].passed and r["dx"].diagnosis == ("wrong_shape",)
    assert "(3, 4), the shape of ∇_w L" in r["dx"].given_layout and "in the place of ∇_x L" in r["dx"].given_layout
    assert r["dw"].passed and r["db"].passed


def test_is_a_bias_gradient_not_summed_over_the_batch_judged_after_summing():
    dx_, dw, db = GRADS
    rows = np.tile(db / N, (N, 1))                  # per-example rows whose sum is right
    right = _judge((dx_, dw, rows))["db"]
    assert right.diagnosis == ("wrong_shape", "not_summed_over_batch")
    assert "Summed over the batch (axis 0), its values are right" in right.message
    assert "N, the batch size" in right.given_layout
    assert right.hint == get_convention("batch").hint("not_summed_over_batch")
    wrong = _judge((dx_, dw, np.tile(db, (N, 1))))["db"]        # the sum is N times db
    assert "its values are right" not in wrong.message and "scaled" in wrong.diagnosis


def test_does_the_checks_hint_win_over_the_exercises_over_the_quantitys_over_the_conventions_over_the_generic():
    dx_, dw, db = GRADS
    transposed = (dx_, dw.T, db)
    ex = {"layout_transposed": "the exercise's hint"}
    own = (("hint.layout_transposed", "the quantity's hint"),)
    check = (("layout_transposed", "the check's hint"),)
    assert _judge(transposed, check_hints=check, exercise_hints=ex, words=own)["dw"].hint == "the check's hint"
    assert _judge(transposed, exercise_hints=ex, words=own)["dw"].hint == "the exercise's hint"
    assert _judge(transposed, words=own)["dw"].hint == "the quantity's hint"
    convention = _judge(transposed)["dw"]
    assert convention.diagnosis[0] == "layout_transposed"
    assert convention.hint == get_convention("batch").hint("layout_transposed") != dx.HINTS["layout_transposed"]
    zero = _judge((dx_, np.zeros_like(dw), db))["dw"]
    assert zero.diagnosis == ("zero",) and zero.hint == dx.HINTS["zero"]
    assert _judge((dx_, np.zeros_like(dw), db), exercise_hints={"zero": "all zero here"})["dw"].hint == "all zero here"
