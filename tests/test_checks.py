"""Questions about how checks judge and explain (grader.judging.checks), on small planted bugs."""

from __future__ import annotations

import pytest

from conftest import checks_by_id, patch, reference_source

MODES = ("instructor", "student")

LEAKY = [("        return np.maximum(x, 0.0)\n", "        return np.maximum(x, 0.1 * x)\n"),
         ("        mask = (self.x > 0).T\n", "        mask = np.where(self.x > 0, 1.0, 0.1).T\n")]


@pytest.mark.parametrize("mode", MODES)
def test_is_a_backward_consistent_with_a_wrong_forward_told_so(grade_sources, mode):
    source = reference_source("relu")
    for old, new in LEAKY:
        source = patch(source, old, new)
    checks = checks_by_id(grade_sources({"relu": source}, mode=mode))
    assert not checks["relu.forward"].passed and not checks["relu.backward"].passed
    assert "Your forward pass is wrong, and this gradient is consistent with it" in checks["relu.backward"].message


@pytest.mark.parametrize("mode", MODES)
def test_is_the_backward_named_when_the_forward_is_right(grade_sources, mode):
    source = patch(reference_source("relu"), "        mask = (self.x > 0).T\n", "        mask = (dz > 0)\n")
    checks = checks_by_id(grade_sources({"relu": source}, mode=mode))
    backward = checks["relu.backward"]
    assert checks["relu.forward"].passed and not backward.passed
    assert backward.diagnosis == ("wrong_mask",)
    assert "upstream gradient" in backward.message
    assert "Your forward pass matches, so the mistake is in the backward pass" in backward.message


@pytest.mark.parametrize("mode", MODES)
def test_is_an_overwritten_window_sum_named_in_both_modes(grade_sources, mode):
    source = patch(reference_source("scanning_mlp"), "            self.dW1 += g_z1.T @ x.T\n",
                   "            self.dW1 = g_z1.T @ x.T\n")
    check = checks_by_id(grade_sources({"scanning_mlp": source}, mode=mode))["scanning_mlp.backward.dW1"]
    assert check.diagnosis == ("overwrote_accumulation",) and "last window alone" in check.message


def test_is_a_sum_instead_of_a_mean_named_with_the_batch_size(grade_sources):
    source = patch(reference_source("logistic"),
                   "        grad = -((y * one_minus_p) @ X)[None, :] / X.shape[0]\n",
                   "        grad = -((y * one_minus_p) @ X)[None, :]\n")
    check = checks_by_id(grade_sources({"logistic": source}))["logistic.batch.grad"]
    assert check.diagnosis == ("scaled",) and "B, the batch size" in check.message


def test_does_a_specific_hint_come_with_a_misconception(grade_sources):
    source = patch(reference_source("logistic"), "        self.du = -self.y * one_minus_p\n",
                   "        self.du = -self.y * p\n")
    check = checks_by_id(grade_sources({"logistic": source}))["logistic.backward.du"]
    assert check.diagnosis == ("sigmoid_derivative",)
    assert "σ(s)(1 - σ(s))" in check.hint


def test_does_float32_the_worker_saw_widen_the_tolerance_of_float64_results():
    """A float64 result off by 1e-6 relative: wrong at float64 precision, right for work done in float32."""
    import numpy as np

    from grader.judging.checks import CheckContext, Target, ValueCheck
    from grader.judging.convention import Kind, Quantity
    from grader.isolation.script import In, func
    from grader.judging.trial import Expectation, Trial
    from grader.judging.values import Outcome, Value

    expected = np.array([[1.0, -2.0, 3.0]])
    given = expected * (1 + 1e-6)
    steps = (func("dx", "backward", In("d")),)
    trial = Trial("public-1", "main", steps, {"d": np.zeros((1, 3))}, "public")
    check = ValueCheck("toy.dx", "dx", 1, targets=(Target("dx", Quantity(Kind.ROW_GRADIENT, "∇_x L", ("1", "n"),
                                                                          "x")),))

    def verdict(float32: bool) -> bool:
        outcome = Outcome(Value("array", given, "float64", shape=given.shape), float32=float32)
        ctx = CheckContext("toy", "toy.py", (trial,), {"public-1": {"dx": outcome}},
                           {"public-1": {"dx": Expectation(Value("array", expected, "float64", shape=(1, 3)))}})
        return check.evaluate(ctx).passed

    assert verdict(float32=True) and not verdict(float32=False)


def test_do_the_hygiene_checks_find_their_trials_whatever_order_they_are_declared_in(tmp_path):
    """Swapping two hygiene lines of a declaration must not change a verdict (the reference keeps full marks)."""
    import shutil

    from grader import api

    from conftest import COURSE, require

    require("relu")
    copy = tmp_path / "course"
    for name in ("exercises", "reference", "student_template"):
        shutil.copytree(COURSE.root / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(COURSE.course_file, copy / "course.toml")
    path = copy / "exercises" / "relu" / "checks.py"
    text = path.read_text(encoding="utf-8")
    mutation = next(line for line in text.splitlines() if "MutationCheck(" in line and "relu.hygiene" in line)
    determinism = next(line for line in text.splitlines() if "DeterminismCheck(" in line and "relu.hygiene" in line)
    swapped = text.replace(mutation, "\0").replace(determinism, mutation).replace("\0", determinism)
    assert swapped != text
    path.write_text(swapped, encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    shutil.copy(COURSE.reference_dir / "relu.py", mine / "relu.py")
    report = api.grade(mine, exercise="relu", course=copy, mode="instructor")
    assert report.score == report.max_score
