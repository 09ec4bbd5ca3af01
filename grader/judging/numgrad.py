"""Numerical gradients by central differences, in float64.

The function under test is evaluated through a batch callable

    f_batch(points: list[dict[str, ndarray]]) -> list[float | None]

which maps each input point to a scalar (for a layer: its output contracted
with a random upstream gradient, see `contract`), or None when the
evaluation failed. Batching lets one worker round trip evaluate all points.

Step: h_i = h_rel · max(1, |x_i|), rounded to the representable step
(x_i + h_i) - x_i, with h_rel = 6e-6 when the function computes in float64
and 5e-3 when it computes in float32 (the optimum ε^(1/3) of central
differences for each precision).

Two modes:
- `gradient`: every entry of every input (2 evaluations per entry); used at
  assignment sizes, where per-entry diagnostics matter;
- `directional`: k random Gaussian directions u, giving ⟨∇f, u⟩ from 2
  evaluations each; used for large inputs.

Points must stay away from kinks (ReLU at 0) by more than the step: the
exercises generate their inputs that way.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np

#: Relative central-difference step per precision of the evaluated function.
H_REL = {"f64": 6e-6, "f32": 5e-3}

#: Inputs with at most this many entries (over all inputs) get a full check.
FULL_CHECK_MAX_ENTRIES = 5000

FBatch = Callable[[list], list]


def steps(x: np.ndarray, precision: str) -> np.ndarray:
    """Representable central-difference steps for every entry of x."""
    x = np.asarray(x, dtype=np.float64)
    h = H_REL[precision] * np.maximum(1.0, np.abs(x))
    return (x + h) - x


def contract(upstream: np.ndarray | None, output: np.ndarray) -> float:
    """Scalar ⟨upstream, output⟩ pairing an upstream gradient with an output.

    The upstream gradient is in the numerator layout: for an output column
    (n, 1) it is a row (1, n); for a matrix output it has the output's shape.
    None means the output is already the scalar loss.
    """
    out = np.asarray(output, dtype=np.float64)
    if upstream is None:
        return float(out.reshape(-1)[0]) if out.size == 1 else float("nan")
    up = np.asarray(upstream, dtype=np.float64)
    if up.shape != out.shape:
        up = up.T
    if up.shape != out.shape:
        return float("nan")
    return float(np.sum(up * out))


def to_convention(grad: np.ndarray, input_shape: tuple[int, ...], layout: str = "row") -> np.ndarray:
    """Lay a gradient (computed in the input's own shape) out in the exercise's convention.

    layout "row" (the column convention): a column input (n, 1) gets a row
    gradient (1, n); anything else keeps its shape. layout "same": the
    gradient keeps the input's shape.
    """
    if layout == "row" and len(input_shape) == 2 and input_shape[1] == 1:
        return grad.reshape(1, input_shape[0])
    return grad.reshape(input_shape)


def gradient(f_batch: FBatch, base: Mapping[str, np.ndarray], wrt: Sequence[str], *,
             precision: str = "f64") -> dict[str, np.ndarray | None]:
    """∂f/∂(each input in wrt), entry by entry, shaped like the inputs.

    An input's gradient is None if any of its evaluations failed.
    """
    points: list[dict] = []
    layout: list[tuple[str, int, float]] = []
    for name in wrt:
        x = np.asarray(base[name], dtype=np.float64)
        h = steps(x, precision)
        for i in range(x.size):
            for sign in (1.0, -1.0):
                p = dict(base)
                moved = x.copy()
                moved.flat[i] += sign * h.flat[i]
                p[name] = moved
                points.append(p)
            layout.append((name, i, float(h.flat[i])))
    values = f_batch(points)
    grads: dict[str, np.ndarray | None] = {
        name: np.zeros_like(np.asarray(base[name], dtype=np.float64)) for name in wrt}
    for k, (name, i, h) in enumerate(layout):
        plus, minus = values[2 * k], values[2 * k + 1]
        g = grads[name]
        if g is None:
            continue
        if plus is None or minus is None or not np.isfinite(plus) or not np.isfinite(minus):
            grads[name] = None
            continue
        g.flat[i] = (plus - minus) / (2.0 * h)
    return grads


def directional(f_batch: FBatch, base: Mapping[str, np.ndarray], wrt: Sequence[str],
                directions: Sequence[Mapping[str, np.ndarray]], *, precision: str = "f64") -> list[float | None]:
    """⟨∇f, u⟩ for each direction u (a dict of arrays shaped like the inputs in wrt)."""
    points = []
    hs = []
    for u in directions:
        scale = max(1.0, max(float(np.max(np.abs(base[n]))) for n in wrt))
        h = H_REL[precision] * scale
        for sign in (1.0, -1.0):
            p = dict(base)
            for name in wrt:
                p[name] = np.asarray(base[name], dtype=np.float64) + sign * h * np.asarray(u[name])
            points.append(p)
        hs.append(h)
    values = f_batch(points)
    out: list[float | None] = []
    for k, h in enumerate(hs):
        plus, minus = values[2 * k], values[2 * k + 1]
        if plus is None or minus is None or not (np.isfinite(plus) and np.isfinite(minus)):
            out.append(None)
        else:
            out.append((plus - minus) / (2.0 * h))
    return out


def random_directions(rng: np.random.Generator, base: Mapping[str, np.ndarray], wrt: Sequence[str],
                      k: int = 3) -> list[dict[str, np.ndarray]]:
    """k Gaussian directions over the inputs in wrt, from a private generator."""
    return [{name: rng.standard_normal(np.shape(base[name])) for name in wrt} for _ in range(k)]
