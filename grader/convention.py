"""The course's layout convention, and the other layouts students bring.

The convention (numerator layout, as in the lecture notes):
- a vector is a column, shape (n, 1);
- the gradient of the scalar loss L with respect to a column vector v (n, 1)
  is a row vector (1, n);
- the gradient of L with respect to a matrix M (n, m) has M's shape (n, m);
  entry [i, j] is ∂L/∂M_ij;
- the Jacobian ∂y/∂x of y (n, 1) with respect to x (m, 1) has shape (n, m);
  entry [i, j] is ∂y_i/∂x_j;
- a scalar may be a Python float, a numpy scalar, a 0-d array or a (1, 1) array.

Other layouts the grader recognises and names in words:
- column gradients: ∇_v L as an (n, 1) column (the denominator layout);
- the transposed-matrix convention of the recitation notes, ∇_W L = x ∇_z L,
  which gives ∇_W L the shape of Wᵀ;
- the transposed Jacobian (m, n);
- rows-are-examples: one row per example or window where this course puts
  one column per window, and per-example gradients stacked in rows;
- flat (n,) arrays, which numpy broadcasting would silently accept.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from grader.values import shape_text


class Kind(enum.Enum):
    """What a checked tensor is, which decides the layout it must have."""

    COLUMN = "column"                    # a vector value (n, 1)
    ROW_GRADIENT = "row_gradient"        # ∇_v L for a column v: (1, n)
    MATRIX_GRADIENT = "matrix_gradient"  # ∇_M L: M's shape
    JACOBIAN = "jacobian"                # ∂y/∂x: (n, m)
    WINDOWS = "windows"                  # one column per window: (K, windows)
    MATRIX = "matrix"                    # any other matrix value
    SCALAR = "scalar"                    # a number
    LABELS = "labels"                    # a flat (B,) vector of ±1


@dataclass(frozen=True)
class Quantity:
    """A checked tensor: its kind, its symbol, and names for its dimensions.

    symbol: how the statement writes it, e.g. "∇_W L".
    dims: names of the dimensions, e.g. ("out", "in"); empty for scalars.
    of: for gradients, the variable it is taken with respect to, e.g. "W".
    batch: the quantity combines a batch of examples (so one row per example
    is a recognisable mistake).
    """

    kind: Kind
    symbol: str
    dims: tuple[str, ...] = ()
    of: str = ""
    batch: bool = False

    def expected_words(self, shape: tuple[int, ...]) -> str:
        """The expected layout in words, e.g. "(1, 5) = (1, in): a row"."""
        named = "(" + ", ".join(self.dims) + ")" if self.dims else ""
        size = shape_text(shape) + (f" = {named}" if named else "")
        k = self.kind
        if k is Kind.COLUMN:
            return f"{size}, a column vector"
        if k is Kind.ROW_GRADIENT:
            return f"{size}, a row: the gradient with respect to the column {self.of or 'vector'}"
        if k is Kind.MATRIX_GRADIENT:
            return f"{size}, the shape of {self.of or 'the matrix'} itself"
        if k is Kind.JACOBIAN:
            return f"{size}: entry [i, j] is ∂(output i)/∂(input j)"
        if k is Kind.WINDOWS:
            return f"{size}: one column per window"
        if k is Kind.SCALAR:
            return "a scalar: a float, a numpy scalar, a 0-d array or a (1, 1) array"
        if k is Kind.LABELS:
            return f"{size}: a flat vector of +1 and -1"
        return size


@dataclass(frozen=True)
class LayoutFinding:
    """A recognised layout that differs from the convention.

    codes: diagnosis codes ("layout_transposed" or "wrong_shape").
    words: what the student did, in words.
    fix: the given array rearranged into the expected layout, if there is
         one unambiguous rearrangement (so its values can still be judged).
    """

    codes: tuple[str, ...]
    words: str
    rearranged: object = None


def recognise(quantity: Quantity, given_shape: tuple[int, ...], expected_shape: tuple[int, ...],
              given=None) -> LayoutFinding:
    """Name the layout of a wrongly shaped answer.

    `given` (the array, optional) is used to build the rearranged version
    for a value check in the expected layout.
    """
    g, e = tuple(given_shape), tuple(expected_shape)
    k = quantity.kind
    transposed = len(g) == 2 and len(e) == 2 and g == e[::-1] and g != e
    if transposed:
        fix = given.T if given is not None else None
        if k is Kind.ROW_GRADIENT:
            words = (f"a column {shape_text(g)}: the column-gradient (denominator) layout. "
                     f"This course writes the gradient with respect to a column vector as a row "
                     f"{shape_text(e)}")
        elif k is Kind.MATRIX_GRADIENT:
            words = (f"{shape_text(g)}, the shape of {quantity.of or 'the matrix'}ᵀ: the transposed-matrix "
                     f"convention ∇_W L = x ∇_z L of the recitation notes. This course gives "
                     f"{quantity.symbol} the shape of {quantity.of or 'the matrix'} itself, {shape_text(e)}")
        elif k is Kind.JACOBIAN:
            words = (f"{shape_text(g)}: the transposed (denominator-layout) Jacobian. Here entry [i, j] "
                     f"is ∂(output i)/∂(input j), so the Jacobian is {shape_text(e)}")
        elif k is Kind.WINDOWS:
            words = (f"{shape_text(g)}: one row per window, the rows-are-examples batch layout. "
                     f"This exercise puts one window per column, {shape_text(e)}")
        elif k is Kind.COLUMN:
            words = f"a row {shape_text(g)} where the convention wants a column {shape_text(e)}"
        else:
            words = f"{shape_text(g)}, the transpose of the expected {shape_text(e)}"
        return LayoutFinding(("layout_transposed",), words, fix)
    size_g = _size(g)
    if k is Kind.WINDOWS and len(g) == 2 and len(e) == 2 and g[0] == e[0] and 0 < abs(g[1] - e[1]) <= 2:
        few = g[1] < e[1]
        return LayoutFinding(
            ("wrong_shape", "window_offset"),
            f"{shape_text(g)}: {abs(g[1] - e[1])} window(s) too {'few' if few else 'many'}. With stride 1 there "
            f"are T-N+1 = {e[1]} windows, t = 0 … {e[1] - 1}")
    if len(g) == 1 and size_g == _size(e) and len(e) >= 1:
        fix = given.reshape(e) if given is not None else None
        return LayoutFinding(
            ("wrong_shape",),
            f"a flat {shape_text(g)} array. Broadcasting would quietly turn it into a "
            f"{shape_text(e)} array or a much bigger one, so the grader needs the exact shape "
            f"{shape_text(e)}", fix)
    if len(g) == 2 and len(e) == 2 and g[0] == g[1] and 1 in e and max(e) == g[0] > 1:
        return LayoutFinding(
            ("wrong_shape",),
            f"{shape_text(g)}, square where a {shape_text(e)} vector is expected: numpy broadcasting combined "
            f"a row with a column (an (n, 1) array with a (1, n) array gives (n, n)). Check the orientation "
            f"of each operand")
    if quantity.batch and k is Kind.ROW_GRADIENT and len(g) == 2 and len(e) == 2 and e[0] == 1 \
            and g[1] == e[1] and g[0] > 1:
        return LayoutFinding(
            ("wrong_shape",),
            f"{shape_text(g)}: one gradient row per example (rows-are-examples). The batch gradient "
            f"combines them into a single {shape_text(e)} row")
    if k is Kind.LABELS and len(g) == 2 and size_g == _size(e) and 1 in g:
        fix = given.reshape(e) if given is not None else None
        return LayoutFinding(("wrong_shape",), f"a 2-D {shape_text(g)} array; predictions are a flat "
                             f"{shape_text(e)} vector", fix)
    if len(g) == len(e) == 2 and size_g == _size(e):
        return LayoutFinding(("wrong_shape",), f"{shape_text(g)} has the right number of entries "
                             f"but not the shape {shape_text(e)}")
    return LayoutFinding(("wrong_shape",), f"{shape_text(g)} instead of {shape_text(e)}")


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
