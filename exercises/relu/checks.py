"""Checks for exercise `relu`: y = max(0, x), elementwise.

Shapes (the course convention): x and y (n, 1); the upstream dz = ∇_y L is
(1, n); the returned ∇_x L is (1, n); jacobian(x) is the diagonal (n, n).

Kinks: at x = 0 the derivative may be 0 or 1; the trial "public-kink" holds
exact zeros and accepts either. Every other trial keeps |x| >= MARGIN, far
more than any finite-difference step, so numerical checks never straddle
the kink. The scale trial (n = 200,000, not stored) runs backward on a
vector whose Jacobian would need 320 GB: only an elementwise backward fits
in the worker's memory limit.

Which check owns which property (a bug costs the checks owning what it breaks, no other):

| check | owns |
|---|---|
| relu.forward | the value of forward(x) |
| relu.backward | the value of the returned ∇_x L at n = 7 and at the kink (exact zeros: 0 or 1 accepted) |
| relu.jacobian | the value of jacobian(x), kink included |
| relu.scale | backward at n = 200,000 in O(n) memory (no n×n Jacobian) |
| relu.hygiene.sequence | independence from earlier calls: forward/backward with x of another length on a used object, and jacobian(x) of its own x, equal the same calls on fresh objects |
| relu.hygiene.mutation | no input array changes in place |
| relu.hygiene.determinism | two identical runs are bitwise equal |
"""

from __future__ import annotations

import numpy as np

from grader.judging import diagnosis as dx
from grader.authoring import (DeterminismCheck, Exercise, In, Kind, Mutant, MutationCheck, NumericSpec,
                              Quantity, SequenceCheck, Target, TrialPlan, ValueCheck, call, new, run_only)

#: Smallest |x| in kink-safe trials.
MARGIN = 0.05
#: Length of the scale trial.
SCALE_N = 200_000
HIDDEN_SIZES = (4, 9, 11)


def _away_from_zero(rng, n):
    """n values, both signs, with |x| >= MARGIN."""
    mag = MARGIN + np.abs(rng.standard_normal(n))
    sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    sign[0], sign[1] = 1.0, -1.0     # always some active and some inactive units
    rng.shuffle(sign)
    return (mag * sign).reshape(n, 1)


#: Lengths of the two forward inputs and of the jacobian input in the sequence trials (public, hidden).
SEQUENCE_SIZES = {"public": (5, 8, 6), "hidden": (7, 4, 9)}


def make_inputs(recipe, variant, rng):
    if recipe == "sequence":
        na, nb, nj = SEQUENCE_SIZES["public" if variant == "public" else "hidden"]
        xb, dzb, xj = _away_from_zero(rng, nb), rng.standard_normal((1, nb)), _away_from_zero(rng, nj)
        # Each object gets its own copies, so a call that modifies an input cannot reach another object.
        return {"x_a": _away_from_zero(rng, na), "dz_a": rng.standard_normal((1, na)), "x_b": xb, "dz_b": dzb,
                "x_j": xj, "x_c": xb.copy(), "dz_c": dzb.copy(), "x_k": xj.copy()}
    if recipe == "scale":
        n = SCALE_N
    elif variant == "public":
        n = 7
    elif variant == "kink":
        n = 6
    else:
        n = HIDDEN_SIZES[int(rng.integers(len(HIDDEN_SIZES)))]
    x = _away_from_zero(rng, n)
    if variant == "kink":
        x[[1, 4], 0] = 0.0
    return {"x": x, "dz": rng.standard_normal((1, n))}


def alternatives(trial, values):
    """At exact zeros of x, derivative 1 is accepted as well as derivative 0 (and vice versa)."""
    x = trial.inputs["x"]
    at = x[:, 0] == 0.0
    if not at.any():
        return {}
    out = {}
    if "dx" in values and values["dx"].kind == "array":
        expected = values["dx"].array
        alt = np.full(expected.shape, np.nan)
        dz = trial.inputs["dz"]
        alt[0, at] = np.where(expected[0, at] == 0.0, dz[0, at], 0.0)
        out["dx"] = alt
    if "J" in values and values["J"].kind == "array":
        expected = values["J"].array
        alt = np.full(expected.shape, np.nan)
        idx = np.flatnonzero(at)
        alt[idx, idx] = 1.0 - expected[idx, idx]
        out["J"] = alt
    return out


MAIN = (
    new("relu", "ReLU"),
    call("y", "relu", "forward", In("x")),
    call("dx", "relu", "backward", In("dz")),
    call("J", "relu", "jacobian", In("x")),
)
SCALE = (
    new("relu", "ReLU"),
    run_only(call("y", "relu", "forward", In("x"))),      # 1.6 MB nobody checks: not sent back
    call("dx", "relu", "backward", In("dz")),
)
#: One object called with inputs of three lengths, then the same data on fresh objects (`SequenceCheck`):
#: jacobian(x) must use its own x, not the x of the last forward.
SEQUENCE = (
    new("relu", "ReLU"),
    call("y_1", "relu", "forward", In("x_a")),
    call("dx_1", "relu", "backward", In("dz_a")),
    call("y_2", "relu", "forward", In("x_b")),
    call("dx_2", "relu", "backward", In("dz_b")),
    call("J_2", "relu", "jacobian", In("x_j")),
    new("fresh", "ReLU"),
    call("y_3", "fresh", "forward", In("x_c")),
    call("dx_3", "fresh", "backward", In("dz_c")),
    new("untouched", "ReLU"),
    call("J_3", "untouched", "jacobian", In("x_k")),
)
FORWARD = (
    new("relu", "ReLU"),
    call("y", "relu", "forward", In("x")),
)

_DX = Target("dx", Quantity(Kind.ROW_GRADIENT, "∇_x L", ("1", "n"), "x"), label="the returned ∇_x L")

#: Hints in this exercise's terms (over the generic ones of grader.judging.diagnosis).
EXERCISE_HINTS = {
    dx.WRONG_MASK: "The ReLU derivative is 1 where the forward input was positive and 0 elsewhere; the mask "
                   "comes from the input of the forward pass.",
}

TRY_IT = """\
x = np.array([[1.5], [-0.5], [2.0], [-3.0]])
dz = np.array([[0.1, 0.2, 0.3, 0.4]])
relu = ReLU()
print(relu.forward(x).T)
print(relu.backward(dz))
print(relu.jacobian(x))
"""

EXERCISE = Exercise(
    id="relu",
    hints=EXERCISE_HINTS,
    try_it=TRY_IT,
    title="ReLU",
    file="relu.py",
    order=2,
    summary="ReLU(): forward max(0, x), backward without forming the Jacobian, and the diagonal Jacobian.",
    recipes={"main": MAIN, "scale": SCALE, "sequence": SEQUENCE},
    make_inputs=make_inputs,
    public=(TrialPlan("public-1", "main"), TrialPlan("public-kink", "main", "kink", kink=True),
            TrialPlan("scale", "scale", store=False), TrialPlan("sequence", "sequence", store=False)),
    hidden=(TrialPlan("hidden-1", "main", "hidden"), TrialPlan("hidden-2", "main", "hidden"),
            TrialPlan("hidden-sequence", "sequence", "hidden", store=False)),
    checks=(
        ValueCheck("relu.forward", "forward: y = max(0, x)", 2,
                   targets=(Target("y", Quantity(Kind.COLUMN, "y", ("n", "1")), label="forward(x)"),),
                   what="ReLU.forward(x)"),
        ValueCheck("relu.backward", "backward: the returned ∇_x L", 3, targets=(_DX,), what="ReLU.backward(dz)"),
        ValueCheck("relu.jacobian", "jacobian(x): the diagonal ∂y/∂x", 2,
                   targets=(Target("J", Quantity(Kind.JACOBIAN, "∂y/∂x", ("n", "n")), label="jacobian(x)"),),
                   what="ReLU.jacobian(x)"),
        ValueCheck("relu.scale", f"backward on n = {SCALE_N:,} without an n×n Jacobian", 1,
                   targets=(_DX,), recipe="scale", what=f"ReLU.backward(dz) with n = {SCALE_N:,}",
                   extra_codes=(("memory", (dx.EXPLICIT_JACOBIAN,)),)),
        SequenceCheck("relu.hygiene.sequence", "a used object gives what a fresh one gives", 1,
                      recipe="sequence", names=("y", "dx", "J"),
                      story="a second forward/backward on the same object, with an x of another length"),
        MutationCheck("relu.hygiene.mutation", "inputs are not modified", 1),
        DeterminismCheck("relu.hygiene.determinism", "identical calls give identical results", 1),
    ),
    numeric=(
        NumericSpec("main", FORWARD, "y", "dz", (("x", "dx"),)),
        NumericSpec("scale", FORWARD, "y", "dz", (("x", "dx"),), directional=True, verify=("main", "y")),
    ),
    alternatives=alternatives,
    mutants=(
        Mutant("mask_from_upstream", ("dx",), dx.WRONG_MASK,
               "a mask taken from the upstream gradient (dz > 0) instead of from the forward input x"),
        Mutant("mask_inverted", ("dx", "J"), dx.WRONG_MASK,
               "an inverted mask: derivative 1 where x < 0 and 0 where x > 0"),
        Mutant("mask_missing", ("dx", "J"), dx.WRONG_MASK,
               "no mask at all: the upstream gradient passes through unchanged, as if ReLU were the identity"),
        Mutant("output_values", ("dx", "J"), dx.WRONG_MASK,
               "the output values max(0, x) used in place of the 0/1 mask"),
    ),
    factors=lambda trial: {"n, the input length": float(trial.inputs.get("x", trial.inputs.get("x_a")).shape[0])},
)
