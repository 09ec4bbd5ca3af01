"""Checks for exercise `sigmoid`, declared from reference/sigmoid.py (see docs/authoring.md)."""

from grader.authoring import layer

EXERCISE = layer(
    "sigmoid", "Sigmoid",
    convention="column",
    title="Sigmoid layer",
    summary="Sigmoid(): forward a = σ(z), backward to ∇_z L.",
    order=5,
    public=[{"n": 4}, {"n": 6}],
    hidden=[{"n": 3}, {"n": 7}],
    points={"forward": 2, "backward.dz": 3},
)
