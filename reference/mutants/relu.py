"""Known wrong answers for exercise `relu` (staff only; see grader.judging.mutants).

Each make_<id>(ctx) returns {output: the value a student with that
misconception would produce} for one trial.
"""

import numpy as np


def _x_dz(ctx):
    return np.asarray(ctx.inputs["x"], dtype=float), np.asarray(ctx.inputs["dz"], dtype=float)


def make_mask_from_upstream(ctx):
    x, dz = _x_dz(ctx)
    return {"dx": dz * (dz > 0)}


def make_mask_inverted(ctx):
    x, dz = _x_dz(ctx)
    return {"dx": dz * (x <= 0).T, "J": np.diag((x[:, 0] <= 0).astype(float))}


def make_mask_missing(ctx):
    x, dz = _x_dz(ctx)
    return {"dx": dz.copy(), "J": np.eye(x.shape[0])}


def make_output_values(ctx):
    x, dz = _x_dz(ctx)
    y = np.maximum(x, 0.0)
    return {"dx": dz * y.T, "J": np.diag(y[:, 0])}
