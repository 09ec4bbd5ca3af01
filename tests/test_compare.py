"""Questions about the scale-aware tolerance (grader.judging.compare)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.judging.compare import compare, compare_projected, effective_precision, rel_errors, rtol_for


def test_does_a_tiny_entry_not_demand_impossible_relative_precision():
    e = np.array([1.0, 1e-12])
    g = np.array([1.0, 2e-12])              # 100% off, but 1e-12 of the tensor's scale
    assert compare(g, e, rtol=1e-7).passed


def test_does_an_all_zero_answer_fail_against_a_nonzero_oracle():
    e = np.array([[0.5, -0.25]])
    assert not compare(np.zeros_like(e), e, rtol=1e-7).passed


def test_does_the_tolerance_not_grow_with_tensor_size():
    rng = np.random.default_rng(0)
    for n in (10, 100_000):
        e = rng.standard_normal(n)
        g = e.copy()
        g[0] += 1e-5 * np.max(np.abs(e))      # one entry off by 1e-5 of the scale
        assert not compare(g, e, rtol=1e-7).passed


def test_does_the_worst_entry_report_its_index_and_values():
    e = np.array([[1.0, 2.0], [3.0, 4.0]])
    g = e.copy()
    g[1, 0] = 3.5
    cmp = compare(g, e, rtol=1e-7)
    assert not cmp.passed and cmp.worst_index == (1, 0) and cmp.expected == 3.0 and cmp.given == 3.5
    assert cmp.max_rel_error == pytest.approx(0.5 / (3.0 + 4.0))


def test_does_an_alternative_value_pass_only_where_one_is_given():
    e = np.array([0.0, 1.0, 2.0])
    alt = np.array([5.0, np.nan, np.nan])
    assert compare(np.array([5.0, 1.0, 2.0]), e, rtol=1e-7, alternative=alt).passed
    assert not compare(np.array([0.0, 5.0, 2.0]), e, rtol=1e-7, alternative=alt).passed


def test_does_compare_refuse_to_broadcast():
    with pytest.raises(ValueError):
        compare(np.zeros(3), np.zeros((3, 1)), rtol=1e-7)


def test_is_float32_work_detected_even_when_cast_back_to_float64():
    x = np.random.default_rng(1).standard_normal(5)
    assert effective_precision(x) == "f64"
    assert effective_precision(x.astype(np.float32)) == "f32"
    assert effective_precision(x.astype(np.float32).astype(np.float64)) == "f32"


def test_are_the_tolerances_ordered_by_how_exact_the_oracle_is():
    assert rtol_for("exact", "f64") < rtol_for("exact", "f32") < rtol_for("numeric", "f32")
    assert rtol_for("exact", "f64") < rtol_for("numeric", "f64")


def test_does_a_projected_check_catch_a_sign_flip_and_pass_the_truth():
    rng = np.random.default_rng(2)
    g = rng.standard_normal((1, 1000))
    dirs = [rng.standard_normal((1, 1000)) for _ in range(3)]
    vals = [float(np.sum(g * u)) for u in dirs]
    assert compare_projected(g, dirs, vals, rtol=1e-6).passed
    assert not compare_projected(-g, dirs, vals, rtol=1e-6).passed
    assert not compare_projected(np.zeros_like(g), dirs, vals, rtol=1e-6).passed


def test_are_relative_errors_computed_per_entry_with_the_shared_scale():
    e = np.array([2.0, -4.0])
    g = np.array([2.0, -3.0])
    assert np.allclose(rel_errors(g, e), [0.0, 1.0 / 8.0])
