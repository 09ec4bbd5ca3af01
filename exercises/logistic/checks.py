"""Checks for exercise `logistic`: logistic regression as a computation graph.

Shapes (the course convention): w and x (D, 1); gradients with respect to
them are (1, D) rows; scalars (u, p, L, ∂L/∂p, ∂L/∂u) may be floats, numpy
scalars, 0-d or (1, 1) arrays. Batches: X (B, D), one example per row, and
y (B,) of ±1 floats; predictions are a flat (B,) vector of ±1.

Each graph node (Dot, Sigmoid, NegLog) is checked on its own with a random
upstream gradient, so a bug in one node costs only that node's checks. In the
main trials |wᵀx| stays small (at most 3), where every correct formula is
accurate to rounding; the stability trials put y·wᵀx at -800 and +800, where
only a formulation that avoids exp() of large numbers stays finite and exact.
Training data are two Gaussian blobs on either side of the origin; the
held-out half stays in the grading process.
"""

from __future__ import annotations

import math

import numpy as np

from grader import diagnosis as dx
from grader.authoring import (AccuracyCheck, DeterminismCheck, Exercise, In, Kind, Mutant, MutationCheck,
                              NumericSpec, Quantity, Target, TrialPlan, ValueCheck, attr, call, func, new)

HIDDEN_D = (3, 6)
#: |wᵀx| in the stability trials.
EXTREME = 800.0


def _dot(a, b):
    """aᵀb for (D, 1) columns, correctly rounded: the same bits with every BLAS build."""
    return math.fsum((a * b).ravel().tolist())


def _w_x(rng, D, size):
    """w and x with wᵀx of magnitude `size` (up to rounding), both (D, 1)."""
    x = rng.standard_normal((D, 1))
    w = rng.standard_normal((D, 1))
    return w * (size / abs(_dot(w, x))), x


def make_inputs(recipe, variant, rng):
    D = 4 if variant in ("public", "neg", "pos") else HIDDEN_D[int(rng.integers(len(HIDDEN_D)))]
    if recipe == "stability":
        w, x = _w_x(rng, D, EXTREME)
        sign = 1 if _dot(w, x) > 0 else -1
        y = -sign if variant in ("neg", "hidden-neg") else sign     # y·u = -800 or +800
        return {"w": w, "x": x, "y": int(y)}
    if recipe == "train":
        B = 200
        mean = rng.standard_normal(D)
        mean *= 2.5 / math.sqrt(math.fsum((mean * mean).tolist()))
        def blobs(n):
            y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
            return y[:, None] * mean + 0.8 * rng.standard_normal((n, D)), y
        X, y = blobs(B)
        X_test, y_test = blobs(B)
        return {"X": X, "y": y, "_X_test": X_test, "_y_test": y_test}
    w, x = _w_x(rng, D, 0.3 + 2.7 * rng.random())
    B = 6
    return {
        "w": w, "x": x, "y": int(rng.choice([-1, 1])),
        "du": float(rng.standard_normal()),
        "s": float(rng.uniform(-3, 3)),
        "dp": float(rng.standard_normal()),
        "p_in": float(rng.uniform(0.05, 0.95)),
        "dL": float(rng.standard_normal()),
        "X": rng.standard_normal((B, D)) * 0.7,
        "yb": np.where(rng.random(B) < 0.5, -1.0, 1.0),
    }


MAIN = (
    new("dot", "Dot"),
    call("u", "dot", "forward", In("w"), In("x")),
    call("dot_grads", "dot", "backward", In("du")),
    new("sig", "Sigmoid"),
    call("p", "sig", "forward", In("s")),
    call("sig_du", "sig", "backward", In("dp")),
    new("nl", "NegLog"),
    call("nl_L", "nl", "forward", In("p_in")),
    call("nl_dp", "nl", "backward", In("dL")),
    new("model", "LogisticRegression", In("w")),
    call("L", "model", "forward", In("x"), In("y")),
    call("dw", "model", "backward"),
    attr("dp", "model", "dp"),
    attr("du", "model", "du"),
    call("batch", "model", "batch_loss_and_grad", In("X"), In("yb")),
    call("pred", "model", "predict", In("X")),
)
STABILITY = (
    new("model", "LogisticRegression", In("w")),
    call("L", "model", "forward", In("x"), In("y")),
    call("dw", "model", "backward"),
)
TRAIN = (func("w", "train", In("X"), In("y")),)
FORWARD = (
    new("model", "LogisticRegression", In("w")),
    call("L", "model", "forward", In("x"), In("y")),
)


def _scalar(symbol):
    return Quantity(Kind.SCALAR, symbol)


def _row(symbol, of):
    return Quantity(Kind.ROW_GRADIENT, symbol, ("1", "D"), of)


def _v(id_, title, points, target, what, recipe="main", **kw):
    return ValueCheck(f"logistic.{id_}", title, points, targets=(target,), what=what, recipe=recipe, **kw)


TRY_IT = """\
rng = np.random.default_rng(0)
w, x = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
model = LogisticRegression(w)
print("L =", model.forward(x, +1), " dw =", model.backward())
print("L at y·wᵀx = -800:", LogisticRegression(800 * x / (x.T @ x).item()).forward(x, -1))
"""

EXERCISE = Exercise(
    id="logistic",
    try_it=TRY_IT,
    title="Logistic regression graph",
    file="logistic.py",
    order=4,
    summary="Dot, Sigmoid, NegLog nodes and LogisticRegression: a stable loss, ∇_w L, batches, training.",
    recipes={"main": MAIN, "stability": STABILITY, "train": TRAIN},
    make_inputs=make_inputs,
    public=(TrialPlan("public-1", "main"), TrialPlan("public-2", "main"),
            TrialPlan("stability-neg", "stability", "neg"), TrialPlan("stability-pos", "stability", "pos"),
            TrialPlan("train", "train", store=False)),
    hidden=(TrialPlan("hidden-1", "main", "hidden"), TrialPlan("hidden-2", "main", "hidden"),
            TrialPlan("hidden-stability-neg", "stability", "hidden-neg"),
            TrialPlan("hidden-stability-pos", "stability", "hidden-pos"),
            TrialPlan("hidden-train", "train", "hidden", store=False)),
    checks=(
        _v("dot.forward", "Dot.forward: u = wᵀx", 1, Target("u", _scalar("u")), "Dot.forward(w, x)"),
        _v("dot.backward.dw", "Dot.backward: ∇_w", 1, Target("dot_grads", _row("∇_w", "w"), 0, "dw (item 0)"),
           "Dot.backward(du)"),
        _v("dot.backward.dx", "Dot.backward: ∇_x", 1, Target("dot_grads", _row("∇_x", "x"), 1, "dx (item 1)"),
           "Dot.backward(du)"),
        _v("sigmoid.forward", "Sigmoid.forward: p = σ(u)", 1, Target("p", _scalar("p")), "Sigmoid.forward(u)"),
        _v("sigmoid.backward", "Sigmoid.backward: ∂/∂u", 1, Target("sig_du", _scalar("∂/∂u")),
           "Sigmoid.backward(dp)"),
        _v("neglog.forward", "NegLog.forward: -log p", 1, Target("nl_L", _scalar("L")), "NegLog.forward(p)"),
        _v("neglog.backward", "NegLog.backward: ∂/∂p", 1, Target("nl_dp", _scalar("∂/∂p")), "NegLog.backward(dL)"),
        _v("forward", "LogisticRegression.forward: L", 2, Target("L", _scalar("L")),
           "LogisticRegression.forward(x, y)"),
        _v("backward.dw", "LogisticRegression.backward: ∇_w L", 2, Target("dw", _row("∇_w L", "w"), label="∇_w L"),
           "LogisticRegression.backward()"),
        _v("backward.dp", "self.dp = ∂L/∂p", 1, Target("dp", _scalar("self.dp")), "LogisticRegression.backward()"),
        _v("backward.du", "self.du = ∂L/∂u", 1, Target("du", _scalar("self.du")), "LogisticRegression.backward()"),
        _v("batch.loss", "batch_loss_and_grad: the mean loss", 1,
           Target("batch", _scalar("mean loss"), 0, "the mean loss (item 0)"), "batch_loss_and_grad(X, y)"),
        _v("batch.grad", "batch_loss_and_grad: its gradient", 2,
           Target("batch", Quantity(Kind.ROW_GRADIENT, "∇_w (mean loss)", ("1", "D"), "w", batch=True), 1,
                  "the gradient (item 1)"), "batch_loss_and_grad(X, y)"),
        _v("predict", "predict: labels ±1", 1, Target("pred", Quantity(Kind.LABELS, "labels", ("B",))),
           "LogisticRegression.predict(X)"),
        ValueCheck("logistic.stability", f"finite, exact loss and gradient at |wᵀx| = {EXTREME:g}", 2,
                   targets=(Target("L", _scalar("L"), label="the loss"), Target("dw", _row("∇_w L", "w"),
                                                                                label="∇_w L")),
                   recipe="stability", what=f"forward and backward at y·wᵀx = ±{EXTREME:g}",
                   extra_codes=(("any", (dx.UNSTABLE,)),)),
        AccuracyCheck("logistic.train", "train reaches 95% held-out accuracy", 2, recipe="train", output="w",
                      threshold=0.95, what="train(X, y)"),
        MutationCheck("logistic.hygiene.mutation", "inputs are not modified", 1),
        DeterminismCheck("logistic.hygiene.determinism", "identical calls give identical results", 1),
    ),
    numeric=(NumericSpec("main", FORWARD, "L", None, (("w", "dw"),)),),
    mutants=(
        Mutant("lr_sigma_for_one_minus", ("du", "dw"), dx.SIGMOID_DERIVATIVE,
               "-y·p where -y·(1 - p) is needed: σ in place of 1 - σ"),
        Mutant("lr_label_dropped_from_gradient", ("du", "dw"), dx.LABEL_IGNORED,
               "-(1 - p): the factor y from s = y·u is missing"),
        Mutant("lr_label_dropped_everywhere", ("L", "du", "dw"), dx.LABEL_IGNORED,
               "the graph without the label: s = u instead of s = y·u"),
        Mutant("sigmoid_backward_p", ("sig_du",), dx.SIGMOID_DERIVATIVE,
               "dp·σ(u): the factor (1 - σ(u)) of σ'(u) is missing"),
        Mutant("sigmoid_backward_one_minus_p", ("sig_du",), dx.SIGMOID_DERIVATIVE,
               "dp·(1 - σ(u)): the factor σ(u) of σ'(u) is missing"),
        Mutant("batch_sigma_for_one_minus", ("batch",), dx.SIGMOID_DERIVATIVE,
               "the batch gradient with σ in place of 1 - σ", item=1),
        Mutant("batch_label_dropped_from_gradient", ("batch",), dx.LABEL_IGNORED,
               "the batch gradient without the factor y_i", item=1),
        Mutant("batch_label_dropped_everywhere_loss", ("batch",), dx.LABEL_IGNORED,
               "the mean loss without the labels (s = Xw instead of y·Xw)", item=0),
        Mutant("batch_label_dropped_everywhere_grad", ("batch",), dx.LABEL_IGNORED,
               "the batch gradient computed without the labels", item=1),
        Mutant("dot_upstream_ignored", ("dot_grads",), dx.SCALED,
               "the local derivative xᵀ alone: the upstream gradient du was not multiplied in", item=0),
        Mutant("dot_upstream_ignored_dx", ("dot_grads",), dx.SCALED,
               "the local derivative wᵀ alone: the upstream gradient du was not multiplied in", item=1),
        Mutant("neglog_upstream_ignored", ("nl_dp",), dx.SCALED,
               "the local derivative -1/p alone: the upstream gradient dL was not multiplied in"),
        Mutant("sigmoid_upstream_ignored", ("sig_du",), dx.SCALED,
               "the local derivative σ(u)(1 - σ(u)) alone: the upstream gradient dp was not multiplied in"),
    ),
    factors=lambda trial: {**({"B, the batch size": float(trial.inputs["X"].shape[0])} if "X" in trial.inputs
                              else {}), "ln 10: a base-10 logarithm where the natural one is needed": float(np.log(10))},
)
