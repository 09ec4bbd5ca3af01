"""Structure first: turn a returned Value into a float64 array, or say why not.

The order of the questions is fixed: is it a plain np.ndarray (not a subclass,
not a list, not None), of a float dtype (float64 or float32), with the exact
expected shape, and finite values? A wrongly laid out answer is named
(`grader.judging.convention.recognise`) and, when one rearrangement fits, handed on
rearranged so its values can still be diagnosed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from grader.judging import diagnosis as dx
from grader.judging.compare import effective_precision
from grader.judging.convention import Kind, Quantity, recognise
from grader.judging.values import Value, shape_text


@dataclass(frozen=True)
class Accepted:
    """A value that passed the structure checks: float64 data and the precision it was computed in."""

    array: np.ndarray
    precision: str


@dataclass(frozen=True)
class Rejected:
    """A value that failed a structure check.

    codes/words: what is wrong. usable: the data rearranged into the expected
    layout (float64), when that is possible, so the values can still be judged.
    """

    codes: tuple[str, ...]
    words: str
    usable: np.ndarray | None = None
    precision: str = "f64"
    given_shape: tuple[int, ...] | None = None
    short: str = ""
    #: When `usable` is more than a rearrangement (a sum over the batch): how it was made, and what is then
    #: the only thing wrong (`grader.judging.convention.LayoutFinding`).
    how: str = ""
    what: str = ""


_SHORT = {dx.LAYOUT_TRANSPOSED: "is laid out in another convention (transposed)",
          dx.WRONG_SHAPE: "has the wrong shape"}


def _dtype_problem(arr: np.ndarray) -> str | None:
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype.itemsize in (4, 8):
        return None
    if kind == "f":
        return f"its dtype is {arr.dtype.name}, too imprecise for gradient checks; use float64 (or float32)"
    if kind in "iu":
        return (f"its dtype is {arr.dtype.name}, an integer type: integer arrays truncate fractional values; "
                "make sure the result is a float array")
    if kind == "b":
        return "its dtype is bool; the answer must be a float array"
    if kind == "c":
        return f"its dtype is {arr.dtype.name}, complex; the answer must be real floats"
    return f"its dtype is {arr.dtype.name}; the answer must be a float array"


def _type_words(value: Value, wanted: str) -> str:
    if value.kind == "none":
        return f"returned None instead of {wanted}: did the method forget to `return` its result?"
    if value.kind == "subclass":
        return (f"returned {value.describe()}; the grader needs a plain np.ndarray "
                f"(np.asarray(...) converts it)")
    if value.kind == "seq":
        return f"returned {value.describe()} instead of {wanted}; np.array(...) converts it"
    return f"returned {value.describe()} instead of {wanted}"


def _finite_problem(arr: np.ndarray) -> str | None:
    bad = ~np.isfinite(arr)
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"it contains {int(bad.sum())} non-finite value(s) (NaN or infinity), the first at {list(idx)}"


def as_tensor(value: Value, expected_shape: tuple[int, ...], quantity: Quantity,
              others: Mapping[str, tuple[int, ...]] | None = None) -> Accepted | Rejected:
    """Validate an array answer against the expected shape and the quantity's layout.

    others: the expected shapes of the other results of the same call, by
    symbol, so an answer given in another one's place is named (`recognise`).
    """
    wanted = f"a float ndarray of shape {shape_text(expected_shape)}"
    if value.kind in ("array", "subclass") and value.array is not None:
        arr = value.array
        problem = _dtype_problem(arr)
        precision = effective_precision(arr) if problem is None else "f64"
        data = arr.astype(np.float64) if arr.dtype.kind in "fiub" else None
        if value.kind == "subclass":
            usable = data if data is not None and data.shape == tuple(expected_shape) else None
            return Rejected((dx.WRONG_TYPE,), _type_words(value, wanted), usable, precision, arr.shape,
                            short=f"is {value.describe()}, not a plain np.ndarray (np.asarray(...) converts it)")
        if problem is not None:
            usable = data if data is not None and data.shape == tuple(expected_shape) else None
            return Rejected((dx.WRONG_TYPE,), f"returned an array, but {problem}", usable, precision, arr.shape,
                            short=f"is an array, but {problem}")
        if arr.shape != tuple(expected_shape):
            finding = recognise(quantity, arr.shape, tuple(expected_shape), data, others=others or {})
            codes = finding.codes
            usable = finding.rearranged
            if usable is not None and not np.all(np.isfinite(usable)):
                usable = None
            return Rejected(codes, f"has shape {finding.words}", usable, precision, arr.shape,
                            short=_SHORT.get(codes[0], "has the wrong shape"), how=finding.how, what=finding.what)
        finite = _finite_problem(arr)
        if finite is not None:
            return Rejected((dx.NON_FINITE,), f"has the right shape, but {finite}", None, precision, arr.shape)
        return Accepted(data, precision)
    if value.kind == "badarray":
        return Rejected((dx.WRONG_TYPE,), f"returned {value.describe()}; the answer must be a float array",
                        None, "f64", value.shape)
    return Rejected((dx.WRONG_TYPE,), _type_words(value, wanted))


def as_scalar(value: Value) -> Accepted | Rejected:
    """Validate a scalar answer: float, numpy float scalar, 0-d or (1, 1) float array."""
    wanted = "a scalar (a float, a numpy scalar, a 0-d array or a (1, 1) array)"
    if value.kind == "scalar" and value.array is not None:
        arr = value.array
        if arr.dtype.kind != "f" or arr.dtype.itemsize not in (4, 8):
            return Rejected((dx.WRONG_TYPE,), f"returned {value.describe()}; a loss or derivative must be a float")
        precision = "f32" if arr.dtype == np.float32 else "f64"
        out = np.asarray(arr, dtype=np.float64).reshape(())
    elif value.kind == "array" and value.array is not None:
        arr = value.array
        problem = _dtype_problem(arr)
        if problem is not None:
            return Rejected((dx.WRONG_TYPE,), f"returned an array, but {problem}")
        if arr.shape not in ((), (1, 1)):
            usable = arr.astype(np.float64).reshape(()) if arr.size == 1 else None
            return Rejected((dx.WRONG_SHAPE,), f"returned an array of shape {shape_text(arr.shape)}; {wanted}",
                            usable, effective_precision(arr), arr.shape)
        precision = effective_precision(arr)
        out = arr.astype(np.float64).reshape(())
    else:
        return Rejected((dx.WRONG_TYPE,), _type_words(value, wanted))
    if not np.isfinite(out):
        return Rejected((dx.NON_FINITE,), f"returned {float(out)!r}, which is not a finite number", None, precision)
    return Accepted(out, precision)


def as_labels(value: Value, expected_shape: tuple[int, ...]) -> Accepted | Rejected:
    """Validate predicted labels: a flat integer or float ndarray of exactly ±1 values."""
    quantity = Quantity(Kind.LABELS, "predictions", ("B",))
    if value.kind != "array" or value.array is None:
        return Rejected((dx.WRONG_TYPE,), _type_words(value, f"an ndarray of shape {shape_text(expected_shape)}"))
    arr = value.array
    if arr.dtype.kind not in "iuf":
        return Rejected((dx.WRONG_TYPE,), f"returned labels of dtype {arr.dtype.name}; use ints or floats (+1/-1)")
    data = arr.astype(np.float64)
    if arr.shape != tuple(expected_shape):
        finding = recognise(quantity, arr.shape, tuple(expected_shape), data)
        return Rejected(finding.codes, f"has shape {finding.words}", finding.rearranged, "f64", arr.shape,
                        short="has the wrong shape")
    if not np.all(np.isin(data, (-1.0, 1.0))):
        bad = data[~np.isin(data, (-1.0, 1.0))]
        return Rejected((dx.WRONG_VALUE,), f"contains values other than +1 and -1 (for example {float(bad[0]):g})",
                        None, "f64", arr.shape)
    return Accepted(data, "f64")
