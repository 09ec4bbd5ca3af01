"""Checks for exercise `fc`: the fully connected layer z = W x + b.

Shapes (the course convention): W (out, in), b (out, 1), x (in, 1),
z (out, 1); the upstream dz = ∇_z L is (1, out); the returned ∇_x L is
(1, in); self.dW = ∇_W L is (out, in); self.db = ∇_b L is (1, out); the
Jacobian ∂z/∂x is (out, in). Public trials use out = 3, in = 5; hidden trials
use two other sizes, so a transposed answer never has the right shape.

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

from grader.authoring import layer

TRY_IT = """\
rng = np.random.default_rng(0)
W, b = rng.standard_normal((3, 5)), rng.standard_normal((3, 1))
x, dz = rng.standard_normal((5, 1)), rng.standard_normal((1, 3))
layer = Linear(W, b)
z = layer.forward(x)
dx = layer.backward(dz)
print("z", z.shape, "dx", dx.shape, "dW", layer.dW.shape, "db", layer.db.shape, "J", layer.jacobian().shape)
"""

EXERCISE = layer(
    "fc", "Linear",
    convention="column",
    title="Fully connected layer",
    summary="Linear(W, b): forward z = Wx + b, backward to ∇_x L, ∇_W L, ∇_b L, and the Jacobian ∂z/∂x.",
    order=1,
    public=[{"out": 3, "in": 5}, {"out": 3, "in": 5}],
    hidden=[{"out": 4, "in": 6}, {"out": 7, "in": 3}],
    dims={"out": "the number of outputs", "in": "the number of inputs"},
    points={"forward": 2, "backward.dx": 2, "backward.dW": 2},
    try_it=TRY_IT,
)
