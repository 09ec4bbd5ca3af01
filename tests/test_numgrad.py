"""Questions about finite differences (grader.judging.numgrad) on functions with known derivatives."""

from __future__ import annotations

import numpy as np
import pytest

from grader.judging import numgrad


def batch(f):
    return lambda points: [f(p) for p in points]


def test_is_the_gradient_of_a_smooth_function_accurate_in_float64():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 1))
    A = rng.standard_normal((3, 4))

    def f(p):  # f(x) = sum(sin(A x)) + 0.5 * |x|^2 ; grad = A^T cos(Ax) + x
        return float(np.sum(np.sin(A @ p["x"])) + 0.5 * np.sum(p["x"] ** 2))

    got = numgrad.gradient(batch(f), {"x": x}, ["x"])["x"]
    exact = A.T @ np.cos(A @ x) + x
    assert np.max(np.abs(got - exact)) < 1e-9 * max(1.0, np.max(np.abs(exact)))


def test_is_the_cubic_derivative_within_the_central_difference_error_bound():
    x = np.array([[3.0], [-2.0], [0.5]])
    got = numgrad.gradient(batch(lambda p: float(np.sum(p["x"] ** 3))), {"x": x}, ["x"])["x"]
    exact = 3 * x ** 2
    h = numgrad.steps(x, "f64")
    # truncation h^2 f'''/6 with f''' = 6, plus roundoff
    assert np.all(np.abs(got - exact) <= h ** 2 + 1e-8 * np.abs(exact) + 1e-9)


def test_does_a_matrix_input_keep_its_shape_and_entries():
    rng = np.random.default_rng(2)
    W = rng.standard_normal((2, 3))
    x = rng.standard_normal((3, 1))
    v = rng.standard_normal((1, 2))
    got = numgrad.gradient(batch(lambda p: numgrad.contract(v, p["W"] @ x)), {"W": W}, ["W"])["W"]
    assert got.shape == W.shape
    assert np.allclose(got, v.T @ x.T, rtol=0, atol=1e-9)


def test_does_a_failed_evaluation_make_that_gradient_none():
    calls = {"n": 0}

    def fb(points):
        calls["n"] += 1
        return [None if i == 3 else 0.0 for i in range(len(points))]

    grads = numgrad.gradient(fb, {"a": np.zeros((2, 1)), "b": np.zeros((1, 1))}, ["a", "b"])
    assert grads["a"] is None and grads["b"] is not None and calls["n"] == 1


def test_is_the_float32_step_much_larger_than_the_float64_step():
    x = np.array([0.0, 10.0])
    assert np.allclose(numgrad.steps(x, "f32") / numgrad.steps(x, "f64"), 5e-3 / 6e-6, rtol=1e-6)


def test_is_the_step_representable():
    x = np.array([1e4 + 0.1, 3.3, -7.7])
    h = numgrad.steps(x, "f64")
    assert np.array_equal((x + h) - x, h)


def test_do_directional_derivatives_match_the_projected_gradient():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((50, 1))
    f = batch(lambda p: float(np.sum(np.tanh(p["x"]))))
    dirs = numgrad.random_directions(rng, {"x": x}, ["x"], k=3)
    got = numgrad.directional(f, {"x": x}, ["x"], dirs)
    grad = 1 - np.tanh(x) ** 2
    for u, d in zip(dirs, got):
        assert d == pytest.approx(float(np.sum(grad * u["x"])), rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("upstream, output, expected", [
    (np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]), 11.0),     # row upstream, column output
    (np.array([[1.0, 2.0], [3.0, 4.0]]), np.eye(2), 5.0),          # same shape: elementwise
    (None, np.array([[2.5]]), 2.5),                                # the output is the scalar loss
])
def test_does_contract_pair_upstream_and_output_in_the_numerator_layout(upstream, output, expected):
    assert numgrad.contract(upstream, output) == expected


def test_is_a_gradient_laid_out_in_the_course_convention():
    assert numgrad.to_convention(np.zeros((5, 1)), (5, 1)).shape == (1, 5)   # column -> row
    assert numgrad.to_convention(np.zeros((3, 5)), (3, 5)).shape == (3, 5)   # matrix keeps its shape
