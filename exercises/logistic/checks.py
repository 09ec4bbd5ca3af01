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

Which check owns which property (a bug costs the checks owning what it breaks, no other):

| check | owns |
|---|---|
| logistic.dot.* / sigmoid.* / neglog.* | each node's forward and backward value, on the node's own inputs |
| logistic.forward | the loss at moderate |wᵀx| (≤ 3) |
| logistic.backward.dw / .dp / .du | ∇_w L, self.dp, self.du at moderate |wᵀx| |
| logistic.batch.loss / .grad | the mean loss and its gradient over a batch |
| logistic.predict | the labels, on an object and copies of X of its own, one example exactly on the boundary wᵀx = 0 (+1) |
| logistic.stability | what changes at y·wᵀx = ±800: finite, exact L and ∇_w L; a value already wrong at moderate |wᵀx| is judged on finiteness only (`ValueCheck.moderate`) |
| logistic.train | held-out accuracy of train(X, y) |
| logistic.hygiene.sequence | independence from earlier calls: every class called twice on one object with other inputs (another D for Dot), and batch_loss_and_grad and predict after forward/backward, equal the same calls on fresh objects |
| logistic.hygiene.mutation | no input array changes in place |
| logistic.hygiene.determinism | two identical runs are bitwise equal |
"""

from __future__ import annotations

import math

import numpy as np

from grader.judging import diagnosis as dx
from grader.authoring import (AccuracyCheck, DeterminismCheck, Exercise, In, Kind, Mutant, MutationCheck,
                              Lit, NumericSpec, Quantity, SequenceCheck, Target, TrialPlan, ValueCheck, attr, call,
                              func, new)

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
    if recipe == "sequence":
        return _sequence_inputs(rng, D)
    w, x = _w_x(rng, D, 0.3 + 2.7 * rng.random())
    B = 6
    inputs = {
        "w": w, "x": x, "y": int(rng.choice([-1, 1])),
        "du": float(rng.standard_normal()),
        "s": float(rng.uniform(-3, 3)),
        "dp": float(rng.standard_normal()),
        "p_in": float(rng.uniform(0.05, 0.95)),
        "dL": float(rng.standard_normal()),
        "X": rng.standard_normal((B, D)) * 0.7,
        "yb": np.where(rng.random(B) < 0.5, -1.0, 1.0),
    }
    # predict gets its own object and copies, so no other method can change what it sees; its first
    # example sits exactly on the decision boundary (wᵀx = 0), where the statement asks for +1.
    X_pred = inputs["X"].copy()
    X_pred[0] = 0.0
    return {**inputs, "w_pred": w.copy(), "X_pred": X_pred}


def _sequence_inputs(rng, D):
    """Two calls on one object with other data (another D for Dot), and copies for fresh objects."""
    D2 = D + 2
    wa, xa = _w_x(rng, D, 1.0 + rng.random())
    wb, xb = _w_x(rng, D2, 1.0 + rng.random())
    w, x1 = _w_x(rng, D, 0.5 + rng.random())
    x2 = rng.standard_normal((D, 1))
    x2 *= (1.0 + rng.random()) / max(abs(_dot(w, x2)), 1e-3)
    X, yb = rng.standard_normal((5, D)) * 0.7, np.array([1.0, -1.0, -1.0, 1.0, -1.0])
    numbers = {k: float(v) for k, v in zip(("du_a", "du_b", "s_a", "s_b", "dp_a", "dp_b", "p_a", "p_b", "dL_a",
                                              "dL_b"), (*rng.standard_normal(2), *rng.uniform(-3, 3, 2),
                                                        *rng.standard_normal(2), *rng.uniform(0.05, 0.95, 2),
                                                        *rng.standard_normal(2)))}
    return {**numbers, "w_a": wa, "x_a": xa, "w_b": wb, "x_b": xb, "w_bc": wb.copy(), "x_bc": xb.copy(),
            "w": w, "w_c": w.copy(), "w_d": w.copy(), "w_e": w.copy(), "x1": x1, "x2": x2, "x2c": x2.copy(),
            "X": X, "yb": yb, "X_c": X.copy(), "yb_c": yb.copy(), "X_p": X.copy(), "X_pc": X.copy()}


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
    new("pmodel", "LogisticRegression", In("w_pred")),
    call("pred", "pmodel", "predict", In("X_pred")),
)
#: Each class called twice on one object with other data, then the same data on fresh objects
#: (`SequenceCheck`); batch_loss_and_grad and predict run after forward/backward on the used model
#: and alone on fresh ones.
SEQUENCE = (
    new("dot", "Dot"),
    call("u_1", "dot", "forward", In("w_a"), In("x_a")),
    call("dotg_1", "dot", "backward", In("du_a")),
    call("u_2", "dot", "forward", In("w_b"), In("x_b")),
    call("dotg_2", "dot", "backward", In("du_b")),
    new("dot_fresh", "Dot"),
    call("u_3", "dot_fresh", "forward", In("w_bc"), In("x_bc")),
    call("dotg_3", "dot_fresh", "backward", In("du_b")),
    new("sig", "Sigmoid"),
    call("p_1", "sig", "forward", In("s_a")),
    call("sigd_1", "sig", "backward", In("dp_a")),
    call("p_2", "sig", "forward", In("s_b")),
    call("sigd_2", "sig", "backward", In("dp_b")),
    new("sig_fresh", "Sigmoid"),
    call("p_3", "sig_fresh", "forward", In("s_b")),
    call("sigd_3", "sig_fresh", "backward", In("dp_b")),
    new("nl", "NegLog"),
    call("nlL_1", "nl", "forward", In("p_a")),
    call("nld_1", "nl", "backward", In("dL_a")),
    call("nlL_2", "nl", "forward", In("p_b")),
    call("nld_2", "nl", "backward", In("dL_b")),
    new("nl_fresh", "NegLog"),
    call("nlL_3", "nl_fresh", "forward", In("p_b")),
    call("nld_3", "nl_fresh", "backward", In("dL_b")),
    new("model", "LogisticRegression", In("w")),
    call("L_1", "model", "forward", In("x1"), Lit(1)),
    call("dw_1", "model", "backward"),
    attr("dp_1", "model", "dp"),
    attr("du_1", "model", "du"),
    call("L_2", "model", "forward", In("x2"), Lit(-1)),
    call("dw_2", "model", "backward"),
    attr("dp_2", "model", "dp"),
    attr("du_2", "model", "du"),
    call("batch_2", "model", "batch_loss_and_grad", In("X"), In("yb")),
    call("pred_2", "model", "predict", In("X_p")),
    new("model_fresh", "LogisticRegression", In("w_c")),
    call("L_3", "model_fresh", "forward", In("x2c"), Lit(-1)),
    call("dw_3", "model_fresh", "backward"),
    attr("dp_3", "model_fresh", "dp"),
    attr("du_3", "model_fresh", "du"),
    new("model_batch", "LogisticRegression", In("w_d")),
    call("batch_3", "model_batch", "batch_loss_and_grad", In("X_c"), In("yb_c")),
    new("model_pred", "LogisticRegression", In("w_e")),
    call("pred_3", "model_pred", "predict", In("X_pc")),
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


#: Hints in this exercise's terms (over the generic ones of grader.judging.diagnosis).
EXERCISE_HINTS = {
    dx.UNSTABLE: "Rewrite the formula so it never computes exp() of a large positive number, for example "
                 "-log σ(s) = log(1 + e^(-s)) with np.logaddexp.",
    dx.SIGMOID_DERIVATIVE: "Follow the graph node by node: dσ/ds = σ(s)(1 - σ(s)), and -1/p times it gives "
                           "-(1 - p); check which of p and 1 - p appears.",
    dx.LABEL_IGNORED: "The label enters the graph through s = y·u: the chain rule through that product brings "
                      "a factor y into ∂L/∂u and ∇_w L.",
}

TRY_IT = """\
rng = np.random.default_rng(0)
w, x = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
model = LogisticRegression(w)
print("L =", model.forward(x, +1), " dw =", model.backward())
print("L at y·wᵀx = -800:", LogisticRegression(800 * x / (x.T @ x).item()).forward(x, -1))
"""

EXERCISE = Exercise(
    id="logistic",
    hints=EXERCISE_HINTS,
    try_it=TRY_IT,
    title="Logistic regression graph",
    file="logistic.py",
    order=4,
    summary="Dot, Sigmoid, NegLog nodes and LogisticRegression: a stable loss, ∇_w L, batches, training.",
    recipes={"main": MAIN, "stability": STABILITY, "train": TRAIN, "sequence": SEQUENCE},
    make_inputs=make_inputs,
    public=(TrialPlan("public-1", "main"), TrialPlan("public-2", "main"),
            TrialPlan("stability-neg", "stability", "neg"), TrialPlan("stability-pos", "stability", "pos"),
            TrialPlan("train", "train", store=False), TrialPlan("sequence", "sequence", store=False)),
    hidden=(TrialPlan("hidden-1", "main", "hidden"), TrialPlan("hidden-2", "main", "hidden"),
            TrialPlan("hidden-stability-neg", "stability", "hidden-neg"),
            TrialPlan("hidden-stability-pos", "stability", "hidden-pos"),
            TrialPlan("hidden-train", "train", "hidden", store=False),
            TrialPlan("hidden-sequence", "sequence", "hidden", store=False)),
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
                   extra_codes=(("any", (dx.UNSTABLE,)),), moderate="main"),
        AccuracyCheck("logistic.train", "train reaches 95% held-out accuracy", 2, recipe="train", output="w",
                      threshold=0.95, what="train(X, y)"),
        SequenceCheck("logistic.hygiene.sequence", "a used object gives what a fresh one gives", 1,
                      recipe="sequence", names=("u", "dotg", "p", "sigd", "nlL", "nld", "L", "dw", "dp", "du",
                                                "batch", "pred"),
                      story="a second forward/backward on the same object, with other inputs"),
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
