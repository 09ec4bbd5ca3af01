"""Questions about the exercise declarations (exercises/<id>/checks.py) and their statements."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from grader import api
from grader.judging.engine import plan_exercise

from conftest import ASSIGNMENTS, COURSE, EXERCISES, exercise_points, needs


def trials(ex_id):
    plan = plan_exercise(COURSE, EXERCISES[ex_id], instructor=True)
    return [t for t in plan.trials if t.visibility in ("public", "hidden")]


@pytest.mark.course
def test_are_the_exercises_listed_in_teaching_order_with_their_points():
    exercises = api.list_exercises()
    folders = sorted(p.name for p in COURSE.exercises_dir.iterdir() if (p / "checks.py").is_file())
    assert sorted(e.id for e in exercises) == folders
    assert [(e.order, e.id) for e in exercises] == sorted((e.order, e.id) for e in exercises)
    assert [e.max_score for e in exercises] == [exercise_points(e.id) for e in exercises]
    for a in ASSIGNMENTS:
        listed = api.list_exercises(assignment=a.id)
        assert sorted(e.id for e in listed) == sorted(a.exercises)
        assert [e.id for e in listed] == [e.id for e in exercises if e.id in a.exercises]


@pytest.mark.course
@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_is_no_upstream_gradient_all_ones(ex_id):
    for t in trials(ex_id):
        for name in ("dz", "dO", "dO_a", "dO_b"):
            if name in t.inputs:
                assert not np.allclose(t.inputs[name], 1.0), (t.name, name)


@needs("fc")
def test_are_fc_dimensions_distinct_so_a_transpose_cannot_pass():
    weights = [(t.name, v) for t in trials("fc") for k, v in t.inputs.items() if k.split("_")[0] == "W"]
    assert len(weights) >= len(trials("fc"))
    for name, W in weights:
        out, n_in = W.shape
        assert out != n_in and out > 1 and n_in > 1, name


@needs("scanning_mlp")
def test_are_scanning_windows_overlapping_and_dimensions_distinct():
    for t in trials("scanning_mlp"):
        H1, N = t.inputs["W1"].shape
        H2 = t.inputs["W2"].shape[0]
        K = t.inputs["W3"].shape[0]
        X = t.inputs.get("X", t.inputs.get("X_a"))
        T = X.shape[0]
        assert N == t.inputs["N"] and 1 < N < T, t.name
        assert H1 != H2 and len({H1, H2, N}) == 3 and (T - N + 1) != K, t.name


@needs("scanning_mlp")
def test_do_scanning_trials_keep_every_pre_activation_away_from_the_kink():
    module = sys.modules["_grader_exercise_scanning_mlp"]
    for t in trials("scanning_mlp"):
        for X in [t.inputs[k] for k in ("X", "X_a", "X_b") if k in t.inputs]:
            for z in module._preactivations(t.inputs, X):
                assert np.min(np.abs(z)) >= module.MARGIN, t.name
                assert (z > 0).any() and (z < 0).any(), f"{t.name}: every unit on one side of the kink"


@needs("relu")
def test_do_relu_trials_keep_inputs_away_from_zero_except_the_kink_trial():
    for t in trials("relu"):
        if t.recipe == "sequence":
            for name in ("x_a", "x_b", "x_j"):
                x = t.inputs[name]
                assert np.min(np.abs(x)) >= 0.05 and (x > 0).any() and (x < 0).any(), (t.name, name)
            continue
        x = t.inputs["x"]
        if t.kink:
            assert np.count_nonzero(x == 0) >= 1
        else:
            assert np.min(np.abs(x)) >= 0.05, t.name
        assert (x > 0).any() and (x < 0).any()


@needs("logistic")
def test_do_logistic_stability_trials_sit_at_plus_and_minus_800():
    seen = set()
    for t in trials("logistic"):
        if t.recipe == "stability":
            s = t.inputs["y"] * (t.inputs["w"].T @ t.inputs["x"]).item()
            assert abs(abs(s) - 800) < 1e-9
            seen.add(np.sign(s))
    assert seen == {-1.0, 1.0}


@needs("logistic")
def test_do_main_logistic_trials_keep_the_margin_moderate():
    for t in trials("logistic"):
        if t.recipe == "main":
            assert abs((t.inputs["w"].T @ t.inputs["x"]).item()) <= 3.0


@needs("logistic")
def test_is_held_out_training_data_never_sent_to_the_worker():
    for t in trials("logistic"):
        if t.recipe == "train":
            assert "_X_test" in t.inputs and "_X_test" not in t.sent_inputs and "_y_test" not in t.sent_inputs


@pytest.mark.course
@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_does_every_trial_draw_from_its_own_seed_without_touching_the_global_rng(ex_id):
    state = np.random.get_state()[1].copy()
    a = [t.inputs for t in trials(ex_id)]
    b = [t.inputs for t in trials(ex_id)]
    assert len(a) == len(b) and all(x.keys() == y.keys() for x, y in zip(a, b))
    assert all(np.array_equal(x[k], y[k]) for x, y in zip(a, b) for k in x if isinstance(x[k], np.ndarray))
    assert np.array_equal(np.random.get_state()[1], state)


@pytest.mark.course
@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_can_hidden_cases_be_made_for_any_salt(ex_id):
    """A course picks its own --salt; "x", "spring" and "pl-course-secret-7f3a" once failed for scanning_mlp."""
    salts = ["x", "spring", "pl-course-secret-7f3a"] + [f"course-{k}" for k in range(12)]
    for salt in salts:
        plan = plan_exercise(COURSE, EXERCISES[ex_id], instructor=True, salt=salt)
        assert any(t.visibility == "hidden" for t in plan.trials), salt
