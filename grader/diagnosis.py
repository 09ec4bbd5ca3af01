"""Diagnosis codes, and the generic signatures of a wrong tensor.

Codes are stable strings in the JSON report; a failed check lists every code
that applies. The generic signatures, computed in the parent from the
student's tensor g and the oracle's e (same shape):

- zero:          g is all zeros while e is not;
- sign_flipped:  g ≈ -e;
- scaled:        g ≈ α·e for some α ≠ 1, found by the least-squares fit
                 α = ⟨g, e⟩ / ⟨e, e⟩ with a small residual ‖g - α e‖ / ‖g‖;
                 α goes in the message, as a fraction when it is one;
- wrong_value:   none of the above.

Each code has a hint that points at the idea in the lecture notes, never at
code.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

NOT_IMPLEMENTED = "not_implemented"
MISSING = "missing"
CRASHED = "crashed"
TIMEOUT = "timeout"
MEMORY = "memory"
FORBIDDEN = "forbidden"
WRONG_TYPE = "wrong_type"
WRONG_SHAPE = "wrong_shape"
LAYOUT_TRANSPOSED = "layout_transposed"
NON_FINITE = "non_finite"
SIGN_FLIPPED = "sign_flipped"
SCALED = "scaled"
ZERO = "zero"
WRONG_MASK = "wrong_mask"
OVERWROTE_ACCUMULATION = "overwrote_accumulation"
ACCUMULATED_ACROSS_CALLS = "accumulated_across_calls"
EXPLICIT_JACOBIAN = "explicit_jacobian"
MUTATED_INPUT = "mutated_input"
NONDETERMINISTIC = "nondeterministic"
UNSTABLE = "unstable"
WRONG_VALUE = "wrong_value"

#: Every code, in the order the documentation lists them.
ALL_CODES = (
    NOT_IMPLEMENTED, MISSING, CRASHED, TIMEOUT, MEMORY, FORBIDDEN, WRONG_TYPE, WRONG_SHAPE,
    LAYOUT_TRANSPOSED, NON_FINITE, SIGN_FLIPPED, SCALED, ZERO, WRONG_MASK, OVERWROTE_ACCUMULATION,
    ACCUMULATED_ACROSS_CALLS, EXPLICIT_JACOBIAN, MUTATED_INPUT, NONDETERMINISTIC, UNSTABLE, WRONG_VALUE,
)

#: One hint per code: the idea to revisit, never the code to write.
HINTS = {
    NOT_IMPLEMENTED: "This part still raises NotImplementedError: replace that line with your implementation.",
    MISSING: "The grader looks for the exact names in the exercise statement (class, method and attribute "
             "names are case-sensitive).",
    CRASHED: "Your code raised an exception; the lines above are from your own file.",
    TIMEOUT: "The code did not finish in time: look for a loop that never ends, a sleep, or input().",
    MEMORY: "The code ran out of memory: look for an array far bigger than the inputs, such as an n×n matrix.",
    FORBIDDEN: "The code tried something the grader does not allow (files outside its folder, the network, "
               "other processes).",
    WRONG_TYPE: "Return a plain numpy ndarray of floats (np.matrix, lists and integer arrays are not accepted).",
    WRONG_SHAPE: "Shapes are part of the answer: check the convention table in the exercise statement.",
    LAYOUT_TRANSPOSED: "The numbers are laid out in another convention. In this course the gradient with respect "
                       "to a column vector is a row, and the gradient with respect to a matrix has the matrix's "
                       "own shape.",
    NON_FINITE: "NaN or infinity appeared: look for exp() of a large number, log(0), or a division by zero.",
    SIGN_FLIPPED: "Every entry has the opposite sign: follow the chain rule from the loss once more and check "
                  "the sign of each local derivative.",
    SCALED: "Every entry is off by the same factor: look for a factor applied twice or not at all (a mean "
            "versus a sum, a repeated upstream gradient, a missing 1/B).",
    ZERO: "Everything is zero: is the upstream gradient multiplied in, and is the result stored where the "
          "statement says?",
    WRONG_MASK: "The ReLU derivative is 1 where the forward input was positive and 0 elsewhere; the mask "
                "comes from the input of the forward pass.",
    OVERWROTE_ACCUMULATION: "A weight or input used in several places receives the sum of the gradients from "
                            "every use: accumulate with += (the lecture's '= versus +=' rule).",
    ACCUMULATED_ACROSS_CALLS: "Each backward call must start its sums from zero; gradients from an earlier "
                              "call must not leak into the next one.",
    EXPLICIT_JACOBIAN: "For an elementwise layer the Jacobian is diagonal: multiply elementwise instead of "
                       "building an n×n matrix.",
    MUTATED_INPUT: "Do not change the arrays you are given in place (x[...] = ..., +=, -= on an input); "
                   "compute new arrays instead.",
    NONDETERMINISTIC: "The same call on the same inputs must give the same numbers: avoid randomness and "
                      "state that changes between calls.",
    UNSTABLE: "Rewrite the formula so it never computes exp() of a large positive number, for example "
              "-log σ(s) = log(1 + e^(-s)) with np.logaddexp.",
    WRONG_VALUE: "The values differ with no simple pattern: compare one entry by hand with the chain rule.",
}


@dataclass(frozen=True)
class Finding:
    """Codes that apply to a wrong tensor, with a sentence for the student."""

    codes: tuple[str, ...]
    words: str


def describe_factor(alpha: float) -> str:
    """α as a readable factor: "2", "1/2", "-1", "6", or "0.37"."""
    frac = Fraction(alpha).limit_denominator(12)
    if frac.denominator <= 12 and abs(float(frac) - alpha) <= 1e-9 * max(1.0, abs(alpha)):
        return str(frac)
    return f"{alpha:.4g}"


def scale_fit(given: np.ndarray, expected: np.ndarray) -> tuple[float, float]:
    """Least-squares α with g ≈ α e, and the relative residual ‖g - α e‖ / ‖g‖."""
    g = np.asarray(given, dtype=np.float64).ravel()
    e = np.asarray(expected, dtype=np.float64).ravel()
    ee = float(e @ e)
    if ee == 0.0:
        return float("nan"), float("inf")
    alpha = float(g @ e) / ee
    gn = float(np.linalg.norm(g))
    if gn == 0.0:
        return alpha, 0.0
    return alpha, float(np.linalg.norm(g - alpha * e)) / gn


def diagnose_values(given: np.ndarray, expected: np.ndarray, *, rtol: float) -> Finding:
    """Generic signature of a same-shaped wrong tensor (see the module docstring)."""
    g = np.asarray(given, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if not np.any(g) and np.any(e):
        return Finding((ZERO,), "every entry is zero, but the expected tensor is not")
    alpha, resid = scale_fit(g, e)
    fit_tol = max(10.0 * rtol, 1e-9)
    if np.isfinite(alpha) and resid <= fit_tol:
        if abs(alpha + 1.0) <= fit_tol:
            return Finding((SIGN_FLIPPED,), "every entry has the right size but the opposite sign (factor -1)")
        if abs(alpha - 1.0) > fit_tol:
            return Finding((SCALED,), f"every entry is {describe_factor(alpha)} times the expected value")
    return Finding((WRONG_VALUE,), "the values differ from the expected ones, with no simple pattern")
