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

Before the generic signatures, `diagnose` tries the exercise's known wrong
answers (mutants, `grader.judging.mutants`) and, for gradients that are sums over
windows, a fit of the tensor as a 0/1 combination of per-window
contributions (`fit_parts`): one window alone means `=` where `+=` was
needed; all windows but one at the edge means a window range off by one.

Each code has a hint that points at the idea to revisit, never at code. The
hints here are generic; the words of a course or an exercise come from data,
most specific first (`choose_hint`): the check's own `hints`, the exercise's
`hints` (`grader.authoring.spec.Exercise`), the checked quantity's convention
(`grader.judging.convention`, for the layout codes), then `HINTS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

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
# Added with the diagnosis engine: misconceptions the first list could not name.
WINDOW_OFFSET = "window_offset"
STALE_CACHE = "stale_cache"
SIGMOID_DERIVATIVE = "sigmoid_derivative"
LABEL_IGNORED = "label_ignored"
# Added with the batch convention: layouts more specific than wrong_shape.
NOT_SUMMED = "not_summed_over_batch"
NOT_RESHAPED = "not_reshaped"

#: Every code, in the order the documentation lists them.
ALL_CODES = (
    NOT_IMPLEMENTED, MISSING, CRASHED, TIMEOUT, MEMORY, FORBIDDEN, WRONG_TYPE, WRONG_SHAPE,
    LAYOUT_TRANSPOSED, NON_FINITE, SIGN_FLIPPED, SCALED, ZERO, WRONG_MASK, OVERWROTE_ACCUMULATION,
    ACCUMULATED_ACROSS_CALLS, EXPLICIT_JACOBIAN, MUTATED_INPUT, NONDETERMINISTIC, UNSTABLE, WRONG_VALUE,
    WINDOW_OFFSET, STALE_CACHE, SIGMOID_DERIVATIVE, LABEL_IGNORED, NOT_SUMMED, NOT_RESHAPED,
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
    LAYOUT_TRANSPOSED: "The numbers are laid out in another convention: check the exercise statement's shape table.",
    NON_FINITE: "NaN or infinity appeared: look for exp() of a large number, log(0), or a division by zero.",
    SIGN_FLIPPED: "Every entry has the opposite sign: follow the chain rule from the loss once more and check "
                  "the sign of each local derivative.",
    SCALED: "Every entry is off by a constant factor: look for a factor applied twice or not at all, such as "
            "an upstream gradient that was not multiplied in.",
    ZERO: "Everything is zero: is the upstream gradient multiplied in, and is the result stored where the "
          "statement says?",
    WRONG_MASK: "The derivative of a piecewise function is chosen entry by entry from the forward pass's input: "
                "check which entries the mask keeps, and what it is computed from.",
    OVERWROTE_ACCUMULATION: "A weight or input used in several places receives the sum of the gradients from "
                            "every use: accumulate with += instead of overwriting with =.",
    ACCUMULATED_ACROSS_CALLS: "Each backward call must start its sums from zero; gradients from an earlier "
                              "call must not leak into the next one.",
    EXPLICIT_JACOBIAN: "For an elementwise layer the Jacobian is diagonal: multiply elementwise instead of "
                       "building an n×n matrix.",
    MUTATED_INPUT: "Do not change the arrays you are given in place (x[...] = ..., +=, -= on an input); "
                   "compute new arrays instead.",
    NONDETERMINISTIC: "The same call on the same inputs must give the same numbers: avoid randomness and "
                      "state that changes between calls.",
    UNSTABLE: "Rewrite the formula so it never computes exp() of a large positive number or log of 0: shift by "
              "the maximum, or use a stable identity such as np.logaddexp.",
    WRONG_VALUE: "The values differ with no simple pattern: compare one entry by hand with the chain rule.",
    WINDOW_OFFSET: "Some parts of the sum are missing or shifted: check the start, the end and the range of the "
                   "loop over them.",
    STALE_CACHE: "The backward pass needs the values its own forward pass computed, for every part and every "
                 "call: keep each of them, not only the last ones, and never values from an earlier call.",
    SIGMOID_DERIVATIVE: "Follow the graph node by node and write each local derivative: the sigmoid's "
                        "derivative is the sigmoid times one minus the sigmoid; check which factors appear in yours.",
    LABEL_IGNORED: "A label that enters the graph through a product brings its factor into every gradient "
                   "behind that product: follow the chain rule through it.",
    NOT_SUMMED: "A parameter shared by every example gets the sum of the examples' gradients: sum over the "
                "examples' axis, without keeping it.",
    NOT_RESHAPED: "A gradient has its variable's shape: when the forward pass reshapes its input, the backward "
                  "pass reshapes the input's gradient back.",
}


#: The hint of `scaled` when the fitted factor is the batch size or its reciprocal (and only then).
BATCH_SCALE_HINT = ("Every entry is off by the batch size B: a mean over the batch divides by B and a sum does not. "
                    "The gradient of a mean keeps its 1/B; check which one the loss uses.")


def _table(source) -> Mapping[str, str]:
    """A hint table from a mapping or (code, hint) pairs (None: empty)."""
    if not source:
        return {}
    return source if isinstance(source, Mapping) else dict(source)


def choose_hint(codes: Sequence[str], *, check=None, exercise=None, quantity=None) -> str:
    """The hint for the first of `codes` that has one, taken from the most specific source that gives it.

    Sources, most specific first: the check's `hints` (`grader.judging.checks.Check`),
    the exercise's `hints` (`grader.authoring.spec.Exercise`), the quantity's
    (`grader.judging.convention.Quantity.hint`: its own words, then its
    convention's, which hold the layout codes' hints), then `HINTS`.
    """
    tables = (_table(getattr(check, "hints", None)), _table(getattr(exercise, "hints", None)))
    for code in codes:
        for table in tables:
            if code in table:
                return table[code]
        own = quantity.hint(code) if quantity is not None else ""
        if own:
            return own
        if code in HINTS:
            return HINTS[code]
    return ""


def hint_for(code: str, exercise=None, *, check=None, quantity=None) -> str:
    """`choose_hint` for one code."""
    return choose_hint((code,), check=check, exercise=exercise, quantity=quantity)


def exercise_hint(exercise, code: str) -> str:
    """The hint an exercise gives for `code` across its checks ("" when it gives none of its own).

    Its `hints`, else the hint its quantities' conventions agree on.
    """
    own = _table(getattr(exercise, "hints", None))
    if code in own:
        return own[code]
    found = {t.quantity.hint(code) for c in getattr(exercise, "checks", ()) for t in getattr(c, "targets", ())}
    found.discard("")
    return found.pop() if len(found) == 1 else ""


def reteach_hints(rows: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """{code: hint} for a class summary, whose rows are (code, ids of the exercises where it was seen).

    Each exercise contributes its own hint (`exercise_hint`) or the generic
    one; when they differ, the hint names the exercises each one is for.
    Exercises are read from the registered course (`grader.judging.convention.course_root`,
    else `grader.authoring.course.find_course()`); codes not in `rows` keep `HINTS`.
    """
    out = dict(HINTS)
    loaded: dict[str, object] = {}

    def exercise(eid: str):
        if eid not in loaded:
            loaded[eid] = None
            try:
                from grader.judging.convention import course_root
                from grader.authoring.course import Course, find_course
                from grader.errors import GraderError

                root = course_root()
                course = Course(root) if root is not None else find_course()
                loaded[eid] = course.exercise(eid)
            except (GraderError, OSError):
                pass
        return loaded[eid]

    for code, where in rows:
        by_hint: dict[str, list[str]] = {}
        for eid in where:
            ex = exercise(eid)
            hint = (exercise_hint(ex, code) if ex is not None else "") or HINTS.get(code, "")
            if hint:
                by_hint.setdefault(hint, []).append(eid)
        if len(by_hint) == 1:
            out[code] = next(iter(by_hint))
        elif by_hint:
            out[code] = " ".join(f"{', '.join(ids)}: {hint}" for hint, ids in by_hint.items())
    return out


@dataclass(frozen=True)
class Finding:
    """Codes that apply to a wrong tensor, a sentence for the student, and an optional specific hint."""

    codes: tuple[str, ...]
    words: str
    hint: str = ""
    #: Named by a known wrong answer or the window fit (more telling than a generic signature).
    specific: bool = False


def describe_factor(alpha: float, factors: Mapping[str, float] | None = None) -> str:
    """α as a readable factor: "2", "1/2", "6 (= B, the batch size)", or "0.37"."""
    frac = Fraction(alpha).limit_denominator(12)
    exact = frac.denominator <= 12 and abs(float(frac) - alpha) <= 1e-9 * max(1.0, abs(alpha))
    text = str(frac) if exact else f"{alpha:.4g}"
    for name, value in (factors or {}).items():
        if value and abs(alpha - value) <= 1e-9 * abs(value):
            return f"{text} (= {name})"
        if value and abs(alpha * value - 1.0) <= 1e-9:
            return f"{text} (= 1/{name})"
    return text


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


def diagnose_values(given: np.ndarray, expected: np.ndarray, *, rtol: float,
                    factors: Mapping[str, float] | None = None) -> Finding:
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
        # One number always fits some factor exactly: only a recognisable one says anything.
        if abs(alpha - 1.0) > fit_tol and (np.count_nonzero(e) > 1 or _recognisable(alpha, factors)):
            return Finding((SCALED,), f"every entry is {describe_factor(alpha, factors)} times the expected value",
                           _scale_hint(alpha, factors))
    if e.size == 1:
        return Finding((WRONG_VALUE,), "the value differs from the expected one")
    return Finding((WRONG_VALUE,), "the values differ from the expected ones, with no simple pattern")


def _scale_hint(alpha: float, factors: Mapping[str, float] | None) -> str:
    """BATCH_SCALE_HINT when α is a factor named for the batch size, or its reciprocal; else "" (the generic hint)."""
    for name, value in (factors or {}).items():
        if value and "batch" in name and (abs(alpha - value) <= 1e-9 * abs(value) or abs(alpha * value - 1.0) <= 1e-9):
            return BATCH_SCALE_HINT
    return ""


#: Codes that say what happened to the code or its structure, not which misconception the values show.
_NOT_A_NAMING = frozenset({NOT_IMPLEMENTED, MISSING, CRASHED, TIMEOUT, MEMORY, FORBIDDEN, WRONG_TYPE, WRONG_SHAPE,
                           LAYOUT_TRANSPOSED, NON_FINITE, WRONG_VALUE})


def share_naming(checks: Sequence, results: Sequence) -> tuple:
    """Give a check that found "no simple pattern" the misconception another check named for the same quantity.

    Two value checks judge the same quantity when they share a target (the
    same output and symbol, e.g. ReLU's ∇_x L on the public cases and on the
    n = 200,000 case). When one names a misconception (wrong_mask) and the
    other could only say wrong_value, for instance because known wrong
    answers exist only for the public cases, the second takes the first's
    codes and hint (its own `hints` first) and says which check named it.
    checks and results are parallel (`grader.judging.checks` objects and their
    `CheckResult`s).
    """
    from dataclasses import replace

    def quantities(check) -> set:
        return {(t.output, t.quantity.symbol) for t in getattr(check, "targets", ())}

    named = [(quantities(c), r) for c, r in zip(checks, results)
             if not r.passed and set(r.diagnosis) - _NOT_A_NAMING]
    out = []
    for check, r in zip(checks, results):
        donor = next((d for q, d in named if q & quantities(check) and d.id != r.id), None) \
            if not r.passed and r.diagnosis == (WRONG_VALUE,) else None
        if donor is None:
            out.append(r)
            continue
        codes = tuple(c for c in donor.diagnosis if c not in _NOT_A_NAMING)
        message = r.message.replace(", with no simple pattern", "")
        own = _table(getattr(check, "hints", None)).get(codes[0], "")
        out.append(replace(r, diagnosis=codes, hint=own or donor.hint or HINTS.get(codes[0], r.hint),
                           message=f"{message} {donor.id} names the same mistake for this quantity: "
                                   f"{', '.join(codes)}."))
    return tuple(out)


def _recognisable(alpha: float, factors: Mapping[str, float] | None) -> bool:
    """A factor worth naming for a single number: a named constant, 2 or 1/2."""
    text = describe_factor(alpha, factors)
    return "(=" in text or text in ("2", "1/2")


def _matches(g: np.ndarray, candidate: np.ndarray, rtol: float) -> bool:
    from grader.judging.compare import compare

    return candidate.shape == g.shape and bool(np.any(candidate)) and compare(g, candidate, rtol=rtol).passed


def _one_window(k: int, n: int, part: str) -> Finding:
    which = "the last" if k == n - 1 else "the first" if k == 0 else f"{part} t = {k}"
    return Finding((OVERWROTE_ACCUMULATION,),
                   f"it equals the contribution of {which} {part} alone (one of {n}): the sum over "
                   f"{part}s was overwritten with = instead of accumulated with +=")


def _missing(missing: list[int], n: int, part: str) -> Finding:
    if missing == list(range(len(missing))) or missing == list(range(n - len(missing), n)):
        edge = "first" if missing[0] == 0 else "last"
        return Finding((WINDOW_OFFSET,),
                       f"it is the sum over every {part} except the {edge} {len(missing)} (t = "
                       f"{', '.join(map(str, missing))}): the loop over {part}s stops short or starts late")
    return Finding((WINDOW_OFFSET,), f"it is the sum over the {part}s except t = {', '.join(map(str, missing))}: "
                                     f"those {part}s are skipped")


def fit_parts(given: np.ndarray, parts: Sequence[np.ndarray], *, rtol: float, part: str = "window"
              ) -> Finding | None:
    """Explain g by per-part contributions P_k, if it is one of the known patterns.

    First the direct hypotheses, which hold even when the parts are linearly
    dependent: one part alone (a sum overwritten with =), or the sum without
    one or two parts at an edge (a loop range off by one). Then, when the
    parts are independent, a least-squares fit g ≈ Σ c_k P_k with 0/1
    coefficients names any other subset of parts.
    """
    g = np.asarray(given, dtype=np.float64)
    if not parts or not np.any(g):
        return None
    P = [np.asarray(p, dtype=np.float64).reshape(g.shape) if np.size(p) == g.size else None for p in parts]
    if any(p is None for p in P):
        return None
    n = len(P)
    total = sum(P)
    for k in (n - 1, 0, *range(1, n - 1)):
        if _matches(g, P[k], rtol) and not _matches(g, total, rtol):
            return _one_window(k, n, part)
    for missing in ([n - 1], [0], [n - 2, n - 1], [0, 1]):
        if len(missing) < n and _matches(g, total - sum(P[k] for k in missing), rtol):
            return _missing(missing, n, part)
    flat = [p.ravel() for p in P]
    live = [k for k in range(n) if np.any(flat[k])]        # a part that contributes nothing has no coefficient
    if not live:
        return None
    A = np.stack([flat[k] for k in live], axis=1)
    if np.linalg.matrix_rank(A) < A.shape[1]:
        return None
    c, *_ = np.linalg.lstsq(A, g.ravel(), rcond=None)
    if np.linalg.norm(A @ c - g.ravel()) > max(10.0 * rtol, 1e-9) * np.linalg.norm(g):
        return None
    rounded = np.round(c)
    if np.any(np.abs(c - rounded) > 1e-6) or not set(rounded.tolist()) <= {0.0, 1.0}:
        return None
    ones = [live[j] for j in np.flatnonzero(rounded == 1.0)]
    if len(ones) in (0, len(live)):
        return None
    if len(ones) == 1:
        return _one_window(ones[0], n, part)
    dead = set(range(n)) - set(live)
    return _missing([k for k in range(n) if k not in ones and k not in dead], n, part)


def diagnose(given: np.ndarray, expected: np.ndarray, *, rtol: float, known: Sequence = (),
             parts: Sequence[np.ndarray] | None = None, factors: Mapping[str, float] | None = None,
             part: str = "window") -> Finding:
    """The best explanation of a wrong tensor, most specific first.

    known: `grader.judging.mutants.KnownWrong` values for this output; parts: its
    per-part contributions; factors: named constants for the scale fit.
    """
    g = np.asarray(given, dtype=np.float64)
    from grader.judging.compare import compare  # local: compare imports nothing from here, keep it that way

    for kw in known:
        if kw.value.shape == g.shape and compare(g, kw.value, rtol=rtol).passed:
            return Finding((kw.mutant.code,), f"it matches {kw.mutant.words}", kw.mutant.hint, specific=True)
    if parts:
        found = fit_parts(g, parts, rtol=rtol, part=part)
        if found is not None:
            return Finding(found.codes, found.words, found.hint, specific=True)
    return diagnose_values(g, expected, rtol=rtol, factors=factors)
