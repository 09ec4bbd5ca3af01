"""Where expected values come from.

Three sources, all computed in the trusted parent:
- the live reference (instructor mode): the trial's script runs in this
  process against reference/<file>; exact, float64;
- stored public cases (student mode): values the reference produced at
  `grade build` time, read from the fixture; exact;
- finite differences of the student's own forward (student mode, for
  gradients), used only after that forward has matched the stored values.
  A fresh random upstream gradient is drawn, the student's backward is run
  with it, and each gradient is compared with the central difference of
  ⟨upstream, forward(inputs)⟩ (`grader.judging.numgrad`). Large inputs get random
  directional checks instead of every entry.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

import numpy as np

from grader.judging import numgrad
from grader.judging.compare import compare, effective_precision, rtol_for
from grader.errors import ReferenceSolutionError
from grader.authoring.fixtures import StoredTrial
from grader.judging.mutants import compute_known, compute_parts, known_for
from grader.isolation.script import Held, In, Step, run_local
from grader.authoring.spec import Exercise, NumericSpec
from grader.judging.trial import Expectation, Projected, Trial, rng_for
from grader.judging.values import Outcome, Value, from_tree

Expectations = dict[str, dict[str, Expectation]]


def _expectations(exercise: Exercise, trial: Trial, values: Mapping[str, Value], source: str,
                  known: Mapping[str, np.ndarray], parts: Mapping[str, tuple]) -> dict[str, Expectation]:
    alts = dict(exercise.alternatives(trial, values)) if exercise.alternatives else {}
    wrongs = known_for(exercise.mutants, known)
    return {out: Expectation(v, source, alts.get(out),
                             known=tuple(w for w in wrongs if w.output == out),
                             parts=parts.get(out))
            for out, v in values.items()}


def from_reference(exercise: Exercise, module: object, trials: list[Trial], makers: object | None = None
                   ) -> Expectations:
    """Run each trial's script on the reference in this process; add mutants and parts."""
    out: Expectations = {}
    for trial in trials:
        try:
            trees = run_local(module, trial.steps, trial.sent_inputs)
            values = {s.out: from_tree(t) for s, t in zip(trial.steps, trees) if s.op != "new"}
            dec = exercise.decomposition_for(trial.recipe)
            parts = compute_parts(dec, module, trial) if dec is not None and not trial.kink else {}
            known = compute_known(exercise.mutants, makers, trial, values, parts, module)
        except Exception as exc:  # noqa: BLE001 - a staff-side bug; say where
            raise ReferenceSolutionError(
                f"the reference for {exercise.id!r} failed on trial {trial.name}: {type(exc).__name__}: {exc}"
            ) from None
        out[trial.name] = _expectations(exercise, trial, values, "exact", known, parts)
    return out


def from_fixture(exercise: Exercise, stored: list[StoredTrial], trials: list[Trial]) -> Expectations:
    """Expected values of public trials, as stored by `grade build` (with their mutants and parts)."""
    by_name = {s.name: s for s in stored}
    out: Expectations = {}
    for trial in trials:
        s = by_name.get(trial.name)
        if s is not None:
            out[trial.name] = _expectations(exercise, trial, s.expected, "exact", s.mutants, s.parts)
    return out


# ---------------------------------------------------------------------------
# Finite differences of the student's forward


def forward_matches(outcome: Outcome, expected: Value) -> tuple[bool, str]:
    """Did a student's forward output match the stored value? Also returns its precision."""
    if not outcome.ok or outcome.value is None:
        return False, "f64"
    v = outcome.value
    if expected.kind == "scalar" or (expected.kind == "array" and expected.array.ndim == 0):
        if v.kind in ("scalar", "array") and v.array is not None and v.array.size == 1 \
                and v.array.dtype.kind == "f":
            arr = v.array.astype(np.float64).reshape(())
            prec = effective_precision(v.array)
            ok = compare(arr, np.asarray(expected.array, dtype=np.float64).reshape(()),
                         rtol=rtol_for("exact", prec)).passed
            return ok, prec
        return False, "f64"
    if v.kind != "array" or v.array is None or v.array.dtype.kind != "f" or v.array.shape != expected.array.shape:
        return False, "f64"
    prec = effective_precision(v.array)
    ok = bool(np.all(np.isfinite(v.array))) and compare(v.array, expected.array, rtol=rtol_for("exact", prec)).passed
    return ok, prec


def _renamed(spec: NumericSpec, tag: str, moved: set[str]) -> tuple[Step, ...]:
    """The forward steps for one evaluation point: handles and moved inputs get a suffix."""
    handles = {s.out for s in spec.forward if s.op == "new" or s.hold}

    def arg(a):
        if isinstance(a, In) and a.name in moved:
            return In(f"{a.name}@{tag}")
        if isinstance(a, Held):
            return Held(f"{a.out}@{tag}", a.item)
        return a
    steps = []
    for s in spec.forward:
        target = f"{s.target}@{tag}" if s.op in ("call", "attr", "pick") and s.target in handles else s.target
        steps.append(replace(s, out=f"{s.out}@{tag}", target=target, args=tuple(arg(a) for a in s.args),
                             kwargs=tuple((k, arg(a)) for k, a in s.kwargs)))
    return tuple(steps)


def probe_for(spec: NumericSpec, base_inputs: Mapping[str, object], points: list[dict], name: str) -> Trial:
    """One trial that evaluates the student's forward at every point."""
    inputs = {k: v for k, v in base_inputs.items() if not k.startswith("_")}
    steps: list[Step] = []
    for j, p in enumerate(points):
        moved = {k for k, v in p.items() if v is not base_inputs.get(k)}
        for k in moved:
            inputs[f"{k}@{j}"] = p[k]
        steps += _renamed(spec, str(j), moved)
    return Trial(name, f"{spec.recipe}#probe", tuple(steps), inputs, "probe")


def point_values(spec: NumericSpec, probe: Trial, outcomes: Mapping[str, Outcome], n_points: int,
                 upstream: np.ndarray | None) -> list[float | None]:
    """Contract the student's forward output at each point with the upstream gradient."""
    values: list[float | None] = []
    for j in range(n_points):
        o = outcomes.get(f"{spec.output}@{j}")
        if o is None or not o.ok or o.value is None or o.value.array is None \
                or o.value.kind not in ("array", "scalar") or o.value.array.dtype.kind != "f":
            values.append(None)
            continue
        f = numgrad.contract(upstream, o.value.array)
        values.append(f if np.isfinite(f) else None)
    return values


class NumericPlan:
    """Phase two of student-mode grading for one NumericSpec and one base trial.

    `trials()` gives the trials to run: the recipe again with a fresh
    upstream (full checks) and the probe evaluating the forward at every
    point; `expectations(outcomes)` turns the probe's results into expected
    gradients for the recipe trial.
    """

    def __init__(self, exercise: Exercise, spec: NumericSpec, base: Trial, precision: str, index: int,
                 fresh: bool = True):
        self.exercise, self.spec, self.base, self.precision = exercise, spec, base, precision
        rng = rng_for(exercise.id, f"{base.name}#numeric")
        wrt = [w for w, _ in spec.wrt]
        inputs = dict(base.inputs)
        if not fresh:
            # The base trial's own upstream: "what would the gradient be if your forward were right?"
            self.target = base
            self.upstream = None if spec.upstream is None else np.asarray(base.inputs[spec.upstream])
            self.directions = None
        elif spec.directional:
            self.target = base   # its own upstream; expectations are directional
            self.upstream = None if spec.upstream is None else np.asarray(base.inputs[spec.upstream])
            self.directions = numgrad.random_directions(rng, inputs, wrt, k=3)
        else:
            if spec.upstream is not None:
                up = np.asarray(base.inputs[spec.upstream])
                inputs[spec.upstream] = rng.standard_normal(up.shape)
                self.upstream = inputs[spec.upstream]
            else:
                self.upstream = None
            self.target = Trial(f"numeric-{index}", base.recipe, base.steps, inputs, "numeric")
            self.directions = None
        self.fresh = fresh
        self.points: list[dict] = []
        self._collect(inputs, wrt)
        tag = "numeric" if fresh else "consistency"
        self.probe = probe_for(spec, inputs, self.points, f"{tag}-{index}#probe")

    def _collect(self, inputs: dict, wrt: list[str]) -> None:
        # Record the points numgrad asks for, to send them in one trial.
        def record(points):
            self.points = list(points)
            return [0.0] * len(points)
        if self.directions is not None:
            numgrad.directional(record, inputs, wrt, self.directions, precision=self.precision)
        else:
            numgrad.gradient(record, inputs, wrt, precision=self.precision)
        self._inputs = inputs

    def trials(self) -> list[Trial]:
        if self.directions is not None or not self.fresh:
            return [self.probe]
        return [self.target, self.probe]

    def expectations(self, outcomes: Mapping[str, Outcome]) -> dict[str, Expectation]:
        values = point_values(self.spec, self.probe, outcomes, len(self.points), self.upstream)
        replay = iter(values)
        wrt = [w for w, _ in self.spec.wrt]

        def replayed(points):
            return [next(replay) for _ in points]

        out: dict[str, Expectation] = {}
        if self.directions is not None:
            derivs = numgrad.directional(replayed, self._inputs, wrt, self.directions, precision=self.precision)
            if any(d is None for d in derivs):
                return {}
            for name, grad_out in self.spec.wrt:
                shape = np.shape(self._inputs[name])
                dirs = tuple(numgrad.to_convention(np.asarray(u[name], dtype=np.float64), shape, self.spec.layout)
                             for u in self.directions)
                out[grad_out] = Expectation(Projected(dirs[0].shape, dirs, tuple(derivs)), "numeric")
            return out
        grads = numgrad.gradient(replayed, self._inputs, wrt, precision=self.precision)
        for name, grad_out in self.spec.wrt:
            g = grads.get(name)
            if g is None:
                continue
            arr = numgrad.to_convention(g, np.shape(self._inputs[name]), self.spec.layout)
            out[grad_out] = Expectation(Value("array", arr, "float64", shape=arr.shape), "numeric")
        return out
