"""Known wrong answers for exercise `logistic` (staff only; see grader.judging.mutants)."""

import numpy as np


def _sigma(s):
    s = np.asarray(s, dtype=float)
    return np.exp(-np.logaddexp(0.0, -s))


def _one(ctx):
    i = ctx.inputs
    u = (i["w"].T @ i["x"]).item()
    y = float(i["y"])
    return i["x"], y, u


def make_lr_sigma_for_one_minus(ctx):
    x, y, u = _one(ctx)
    du = -y * _sigma(y * u)
    return {"du": du, "dw": du * x.T}


def make_lr_label_dropped_from_gradient(ctx):
    x, y, u = _one(ctx)
    du = -(1.0 - _sigma(y * u))
    return {"du": du, "dw": du * x.T}


def make_lr_label_dropped_everywhere(ctx):
    x, y, u = _one(ctx)
    du = -(1.0 - _sigma(u))
    return {"L": float(np.logaddexp(0.0, -u)), "du": du, "dw": du * x.T}


def make_sigmoid_backward_p(ctx):
    i = ctx.inputs
    return {"sig_du": i["dp"] * _sigma(i["s"])}


def make_sigmoid_backward_one_minus_p(ctx):
    i = ctx.inputs
    return {"sig_du": i["dp"] * (1.0 - _sigma(i["s"]))}


def _batch(ctx):
    i = ctx.inputs
    X, y, w = i["X"], i["yb"], i["w"]
    return X, y, (X @ w)[:, 0]


def make_batch_sigma_for_one_minus(ctx):
    X, y, u = _batch(ctx)
    return {"batch": -((y * _sigma(y * u)) @ X)[None, :] / X.shape[0]}


def make_batch_label_dropped_from_gradient(ctx):
    X, y, u = _batch(ctx)
    return {"batch": -((1.0 - _sigma(y * u)) @ X)[None, :] / X.shape[0]}


def make_batch_label_dropped_everywhere_loss(ctx):
    X, y, u = _batch(ctx)
    return {"batch": float(np.mean(np.logaddexp(0.0, -u)))}


def make_batch_label_dropped_everywhere_grad(ctx):
    X, y, u = _batch(ctx)
    return {"batch": -((1.0 - _sigma(u)) @ X)[None, :] / X.shape[0]}


def make_dot_upstream_ignored(ctx):
    i = ctx.inputs
    return {"dot_grads": i["x"].T.astype(float)}


def make_dot_upstream_ignored_dx(ctx):
    i = ctx.inputs
    return {"dot_grads": i["w"].T.astype(float)}


def make_neglog_upstream_ignored(ctx):
    return {"nl_dp": -1.0 / float(ctx.inputs["p_in"])}


def make_sigmoid_upstream_ignored(ctx):
    p = _sigma(ctx.inputs["s"])
    return {"sig_du": p * (1.0 - p)}
