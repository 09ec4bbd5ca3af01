"""Checks for exercise `fc`: the fully connected layer z = W x + b.

Shapes (the course convention): W (out, in), b (out, 1), x (in, 1),
z (out, 1); the upstream dz = ∇_z L is (1, out); the returned ∇_x L is
(1, in); self.dW = ∇_W L is (out, in); self.db = ∇_b L is (1, out); the
Jacobian ∂z/∂x is (out, in). Public trials use out = 3, in = 5; hidden trials
use other distinct sizes, so a transposed answer never has the right shape.

Which check owns which property (a bug costs the checks owning what it breaks, no other):

| check | owns |
|---|---|
| fc.forward | the value of forward(x) |
| fc.backward.dx | the value of the returned ∇_x L |
| fc.backward.dW | the value of self.dW |
| fc.backward.db | the value of self.db |
| fc.jacobian | the value of jacobian() |
| fc.hygiene.sequence | independence from earlier calls: a second forward/backward on one object (other x, dz) and jacobian() equal the same calls on fresh objects (student vs. student) |
| fc.hygiene.mutation | no input array changes in place |
| fc.hygiene.determinism | two identical runs are bitwise equal |
"""

from __future__ import annotations

from grader.authoring import (DeterminismCheck, Exercise, In, Kind, MutationCheck, NumericSpec, Quantity,
                              SequenceCheck, Target, TrialPlan, ValueCheck, attr, call, new)

#: (out, in) sizes for hidden trials; always out != in.
HIDDEN_SIZES = ((4, 6), (6, 2), (2, 7), (7, 3))


def make_inputs(recipe, variant, rng):
    """W, b, x and a random (never all-ones) upstream dz; for "sequence", two x/dz pairs and copies."""
    if variant == "public":
        out, n_in = 3, 5
    else:
        out, n_in = HIDDEN_SIZES[int(rng.integers(len(HIDDEN_SIZES)))]
    if recipe == "sequence":
        W, b = rng.standard_normal((out, n_in)), rng.standard_normal((out, 1))
        xb, dzb = rng.standard_normal((n_in, 1)), rng.standard_normal((1, out))
        # Each object gets its own copies, so a call that modifies an input cannot reach another object.
        return {"W": W, "b": b, "x_a": rng.standard_normal((n_in, 1)), "dz_a": rng.standard_normal((1, out)),
                "x_b": xb, "dz_b": dzb, "W_c": W.copy(), "b_c": b.copy(), "x_c": xb.copy(), "dz_c": dzb.copy(),
                "W_d": W.copy(), "b_d": b.copy()}
    return {
        "W": rng.standard_normal((out, n_in)),
        "b": rng.standard_normal((out, 1)),
        "x": rng.standard_normal((n_in, 1)),
        "dz": rng.standard_normal((1, out)),
    }


MAIN = (
    new("layer", "Linear", In("W"), In("b")),
    call("z", "layer", "forward", In("x")),
    call("dx", "layer", "backward", In("dz")),
    attr("dW", "layer", "dW"),
    attr("db", "layer", "db"),
    call("J", "layer", "jacobian"),
)

#: One object called twice with other data, then the same data on fresh objects (`SequenceCheck`).
#: x cannot change shape on one object (W fixes it), so the second call has other values only.
SEQUENCE = (
    new("layer", "Linear", In("W"), In("b")),
    call("z_1", "layer", "forward", In("x_a")),
    call("dx_1", "layer", "backward", In("dz_a")),
    attr("dW_1", "layer", "dW"),
    attr("db_1", "layer", "db"),
    call("z_2", "layer", "forward", In("x_b")),
    call("dx_2", "layer", "backward", In("dz_b")),
    attr("dW_2", "layer", "dW"),
    attr("db_2", "layer", "db"),
    call("J_2", "layer", "jacobian"),
    new("fresh", "Linear", In("W_c"), In("b_c")),
    call("z_3", "fresh", "forward", In("x_c")),
    call("dx_3", "fresh", "backward", In("dz_c")),
    attr("dW_3", "fresh", "dW"),
    attr("db_3", "fresh", "db"),
    new("untouched", "Linear", In("W_d"), In("b_d")),
    call("J_3", "untouched", "jacobian"),
)

FORWARD = (
    new("layer", "Linear", In("W"), In("b")),
    call("z", "layer", "forward", In("x")),
)

TRY_IT = """\
rng = np.random.default_rng(0)
W, b = rng.standard_normal((3, 5)), rng.standard_normal((3, 1))
x, dz = rng.standard_normal((5, 1)), rng.standard_normal((1, 3))
layer = Linear(W, b)
z = layer.forward(x)
dx = layer.backward(dz)
print("z", z.shape, "dx", dx.shape, "dW", layer.dW.shape, "db", layer.db.shape, "J", layer.jacobian().shape)
"""

EXERCISE = Exercise(
    id="fc",
    try_it=TRY_IT,
    title="Fully connected layer",
    file="fc.py",
    order=1,
    summary="Linear(W, b): forward z = Wx + b, backward to ∇_x L, ∇_W L, ∇_b L, and the Jacobian ∂z/∂x.",
    recipes={"main": MAIN, "sequence": SEQUENCE},
    make_inputs=make_inputs,
    public=(TrialPlan("public-1", "main"), TrialPlan("public-2", "main"),
            TrialPlan("sequence", "sequence", store=False)),
    hidden=(TrialPlan("hidden-1", "main", "hidden"), TrialPlan("hidden-2", "main", "hidden"),
            TrialPlan("hidden-sequence", "sequence", "hidden", store=False)),
    checks=(
        ValueCheck("fc.forward", "forward: z = W x + b", 2,
                   targets=(Target("z", Quantity(Kind.COLUMN, "z", ("out", "1")), label="forward(x)"),),
                   what="Linear.forward(x)"),
        ValueCheck("fc.backward.dx", "backward: the returned ∇_x L", 2,
                   targets=(Target("dx", Quantity(Kind.ROW_GRADIENT, "∇_x L", ("1", "in"), "x"),
                                   label="the returned ∇_x L"),),
                   what="Linear.backward(dz)"),
        ValueCheck("fc.backward.dW", "backward: self.dW = ∇_W L", 2,
                   targets=(Target("dW", Quantity(Kind.MATRIX_GRADIENT, "∇_W L", ("out", "in"), "W"),
                                   label="self.dW"),),
                   what="Linear.backward(dz)"),
        ValueCheck("fc.backward.db", "backward: self.db = ∇_b L", 1,
                   targets=(Target("db", Quantity(Kind.ROW_GRADIENT, "∇_b L", ("1", "out"), "b"),
                                   label="self.db"),),
                   what="Linear.backward(dz)"),
        ValueCheck("fc.jacobian", "jacobian(): ∂z/∂x", 1,
                   targets=(Target("J", Quantity(Kind.JACOBIAN, "∂z/∂x", ("out", "in")), label="jacobian()"),),
                   what="Linear.jacobian()"),
        SequenceCheck("fc.hygiene.sequence", "a used object gives what a fresh one gives", 1,
                      recipe="sequence", names=("z", "dx", "dW", "db", "J"),
                      story="a second forward/backward on the same object, with other x and dz"),
        MutationCheck("fc.hygiene.mutation", "inputs are not modified", 1),
        DeterminismCheck("fc.hygiene.determinism", "identical calls give identical results", 1),
    ),
    numeric=(
        NumericSpec("main", FORWARD, "z", "dz", (("x", "dx"), ("W", "dW"), ("b", "db"))),
    ),
    factors=lambda trial: {"out, the number of outputs": float(trial.inputs["W"].shape[0]),
                           "in, the number of inputs": float(trial.inputs["W"].shape[1])},
)
