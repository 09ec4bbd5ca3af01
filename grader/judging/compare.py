"""Scale-aware comparison of a student's tensor with the oracle, in float64.

For one tensor with expected values e and given values g, entry i passes when

    |g_i - e_i| <= rtol · (|e_i| + s),   s = max(max_j |e_j|, SCALE_FLOOR)

and the tensor passes when every entry does. The reported relative error of
an entry is |g_i - e_i| / (|e_i| + s); the tensor's error is the largest one.
Tiny entries therefore neither demand impossible relative precision nor let
a wrong zero slip through, and no tolerance ever grows with the size of the
tensor.

rtol depends on where the expected value came from and on the precision the
student computed in (see `rtol_for`). That precision is judged per trial,
on everything the student's code returned in it (`lowest_precision`), not
on the one array being compared: code that computes in float32 and stores
one result in float64 (`db = dz.copy()` of a float64 upstream) still
carries float32 rounding in its other results, and its finite differences
are float32 ones. Entries may carry an alternative
expected value (for example at a ReLU kink, where derivative 0 and 1 are
both accepted): the entry passes if it matches either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Smallest scale s used in the tolerance, so an all-zero oracle stays strict.
SCALE_FLOOR = 1e-12

#: rtol against an exact oracle (the reference, or values stored from it).
RTOL_EXACT = {"f64": 1e-7, "f32": 1e-5}
#: rtol against a central finite difference of the student's own forward.
RTOL_NUMERIC = {"f64": 1e-6, "f32": 2e-3}


def rtol_for(source: str, precision: str) -> float:
    """Tolerance for an oracle source ("exact" or "numeric") and precision ("f64"/"f32")."""
    table = RTOL_NUMERIC if source == "numeric" else RTOL_EXACT
    return table[precision]


def effective_precision(arr: np.ndarray) -> str:
    """"f32" if the values were computed in float32, else "f64".

    A float32 array is f32. So is a float64 array whose every value is exactly
    representable in float32 (float32 work cast back at the end): random
    float64 results essentially never are.
    """
    if arr.dtype == np.float32:
        return "f32"
    if arr.dtype == np.float64 and arr.size:
        with np.errstate(all="ignore"):
            sample = arr.reshape(-1)[:: max(1, arr.size // 64)]
            if not np.array_equal(sample.astype(np.float32).astype(np.float64), sample):
                return "f64"          # settled by a sample: most arrays need no full pass
            back = arr.astype(np.float32).astype(np.float64)
        if np.array_equal(back, arr) and np.count_nonzero(arr) > 0:
            return "f32"
    return "f64"


def shows_float32(arr: np.ndarray) -> bool:
    """Is this returned array evidence that the code computed in float32?

    A float32 array is. A float64 array is when `effective_precision` says
    f32 and some value is not an integer: arrays of small integers (a 0/1
    mask, a ReLU Jacobian, ±1 labels) are exact in every precision and say
    nothing about how the rest was computed.
    """
    if arr.dtype == np.float32:
        return arr.size > 0
    if arr.dtype != np.float64 or effective_precision(arr) != "f32":
        return False
    with np.errstate(all="ignore"):
        return bool(np.any(arr != np.round(arr)))


def lowest_precision(arrays) -> str:
    """"f32" if any of the arrays shows float32 work (`shows_float32`), else "f64".

    Used for every comparison of one trial: the tolerance follows the lowest
    precision among all the results the student's code produced in that trial.
    """
    return "f32" if any(shows_float32(a) for a in arrays) else "f64"


@dataclass(frozen=True)
class Comparison:
    """The verdict on one tensor, with its worst entry."""

    passed: bool
    max_rel_error: float
    worst_index: tuple[int, ...]
    expected: float
    given: float
    rtol: float


def rel_errors(given: np.ndarray, expected: np.ndarray, alternative: np.ndarray | None = None) -> np.ndarray:
    """Per-entry relative errors (see the module docstring); same shape as expected.

    `alternative` holds a second accepted value per entry, NaN where there is none.
    """
    g = np.asarray(given, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    scale = max(float(np.max(np.abs(e))) if e.size else 0.0, SCALE_FLOOR)
    err = np.abs(g - e) / (np.abs(e) + scale)
    if alternative is not None:
        a = np.asarray(alternative, dtype=np.float64)
        has = ~np.isnan(a)
        alt_err = np.where(has, np.abs(g - np.where(has, a, 0.0)) / (np.abs(np.where(has, a, 0.0)) + scale), np.inf)
        err = np.minimum(err, alt_err)
    return err


def compare(given: np.ndarray, expected: np.ndarray, *, rtol: float,
            alternative: np.ndarray | None = None) -> Comparison:
    """Compare two same-shaped arrays; the caller has already checked the shape."""
    g = np.asarray(given, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        raise ValueError(f"compare needs equal shapes, got {g.shape} and {e.shape}")
    if e.size == 0:
        return Comparison(True, 0.0, (), 0.0, 0.0, rtol)
    err = rel_errors(g, e, alternative)
    flat = int(np.argmax(err))
    index = tuple(int(i) for i in np.unravel_index(flat, e.shape))
    worst = float(err.flat[flat])
    return Comparison(bool(worst <= rtol), worst, index, float(e.flat[flat]), float(g.flat[flat]), rtol)


def compare_projected(given: np.ndarray, directions, values, *, rtol: float) -> Comparison:
    """Compare a gradient g with directional expectations ⟨g, u_k⟩ ≈ v_k.

    The error of direction k is |⟨g, u_k⟩ - v_k| / max(‖g‖·‖u_k‖, |v_k|, SCALE_FLOOR);
    the worst direction is reported (its index is (k,)).
    """
    g = np.asarray(given, dtype=np.float64)
    gn = float(np.linalg.norm(g))
    worst, worst_k, worst_e, worst_g = 0.0, 0, 0.0, 0.0
    for k, (u, v) in enumerate(zip(directions, values)):
        got = float(np.sum(g * u))
        scale = max(gn * float(np.linalg.norm(u)), abs(v), SCALE_FLOOR)
        err = abs(got - v) / scale
        if err > worst or k == 0:
            worst, worst_k, worst_e, worst_g = err, k, float(v), got
    return Comparison(bool(worst <= rtol), worst, (worst_k,), worst_e, worst_g, rtol)
