"""Known wrong answers ("mutants") and per-part contributions, from the reference.

An exercise declares, next to its checks, the wrong answers it knows
(`Mutant`: which output, which diagnosis code, what the student did). Their
values are computed in the trusted parent from the reference solution by
functions in `reference/mutants/<exercise id>.py`, named `make_<mutant id>`,
which take a `MutantContext` and return the wrong answer (or None when it
does not apply to that trial). That file is staff-only: code that computes
"the backward with an inverted mask" is one edit away from the solution, so
it never ships with `exercises/`.

An exercise may also declare a `Decomposition`: the backward pass is linear
in the upstream gradient, so running the reference with the upstream zeroed
except for one slice (one window's column of dO) gives that slice's
contribution to every gradient. The diagnosis fits a wrong gradient as a
combination of these parts (`grader.judging.diagnosis.fit_parts`) to tell "only the
last window" from "a window missing at the edge".

`grade build` stores the mutant values and parts of the public trials in the
fixture, so students get the same diagnoses without the reference.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Mapping

import numpy as np

from grader.isolation.script import run_local
from grader.judging.trial import Trial
from grader.judging.values import Value, from_tree


@dataclass(frozen=True)
class Mutant:
    """A known wrong answer for one output of a recipe.

    id: names the maker `make_<id>` in reference/mutants/<exercise>.py.
    outputs/item: the recipe outputs (and tuple item) it imitates. With one
    output the maker returns that output's wrong value; with several it
    returns {output: value}, leaving out outputs it does not change.
    code: the diagnosis code it names; words: what the student did, in a
    phrase that completes "it matches ..."; hint: optional, else the code's.
    """

    id: str
    outputs: tuple[str, ...]
    code: str
    words: str
    recipe: str = "main"
    item: int | None = None
    hint: str = ""


@dataclass(frozen=True)
class Decomposition:
    """Split the upstream input `upstream` along `axis` into parts (e.g. one window per column)."""

    recipe: str
    upstream: str
    axis: int
    outputs: tuple[str, ...]
    part: str = "window"


@dataclass(frozen=True, eq=False)
class MutantContext:
    """What a mutant maker may use: the trial, the reference's outputs and parts, and the reference."""

    trial: Trial
    values: Mapping[str, Value]
    parts: Mapping[str, tuple[np.ndarray, ...]]
    reference: ModuleType

    @property
    def inputs(self) -> Mapping[str, object]:
        return self.trial.inputs

    def array(self, out: str, item: int | None = None) -> np.ndarray:
        v = self.values[out]
        if item is not None:
            v = v.items[item]
        return np.asarray(v.array, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class KnownWrong:
    """A mutant's value for one output of one trial."""

    mutant: Mutant
    output: str
    value: np.ndarray

    @property
    def key(self) -> str:
        return f"{self.mutant.id}/{self.output}"

    @property
    def item(self) -> int | None:
        return self.mutant.item


def _pick(value: Value, item: int | None) -> np.ndarray | None:
    if item is not None:
        if value.kind != "seq" or len(value.items) <= item:
            return None
        value = value.items[item]
    if value.array is None:
        return None
    return np.asarray(value.array, dtype=np.float64)


def compute_parts(decomposition: Decomposition, module: ModuleType, trial: Trial
                  ) -> dict[str, tuple[np.ndarray, ...]]:
    """Each part's contribution to every output in decomposition.outputs, from the reference."""
    upstream = np.asarray(trial.inputs[decomposition.upstream], dtype=np.float64)
    n = upstream.shape[decomposition.axis]
    collected: dict[str, list[np.ndarray]] = {out: [] for out in decomposition.outputs}
    for k in range(n):
        masked = np.zeros_like(upstream)
        index = [slice(None)] * upstream.ndim
        index[decomposition.axis] = k
        masked[tuple(index)] = upstream[tuple(index)]
        inputs = dict(trial.sent_inputs)
        inputs[decomposition.upstream] = masked
        trees = run_local(module, trial.steps, inputs)
        values = {s.out: from_tree(t) for s, t in zip(trial.steps, trees)}
        for out in decomposition.outputs:
            collected[out].append(_pick(values[out], None))
    return {out: tuple(parts) for out, parts in collected.items()}


def compute_known(mutants: tuple[Mutant, ...], makers: ModuleType | None, trial: Trial,
                  values: Mapping[str, Value], parts: Mapping[str, tuple[np.ndarray, ...]],
                  reference: ModuleType) -> dict[str, np.ndarray]:
    """{"<mutant id>/<output>": value} for the mutants of this trial's recipe that apply."""
    out: dict[str, np.ndarray] = {}
    if makers is None:
        return out
    ctx = MutantContext(trial, values, parts, reference)
    for m in mutants:
        if m.recipe != trial.recipe:
            continue
        maker = getattr(makers, f"make_{m.id}", None)
        if maker is None:
            raise ValueError(f"reference/mutants has no make_{m.id} for mutant {m.id!r}")
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            made = maker(ctx)
        if made is None:
            continue
        by_output = made if isinstance(made, dict) else {m.outputs[0]: made}
        for output, value in by_output.items():
            if output not in m.outputs or value is None:
                continue
            arr = np.asarray(value, dtype=np.float64)
            if np.all(np.isfinite(arr)):
                out[f"{m.id}/{output}"] = arr
    return out


def known_for(mutants: tuple[Mutant, ...], computed: Mapping[str, np.ndarray]) -> list[KnownWrong]:
    """Pair computed values ("<id>/<output>") with their declarations; unknown keys are ignored."""
    by_id = {m.id: m for m in mutants}
    out = []
    for key, value in computed.items():
        mid, _, output = key.partition("/")
        if mid in by_id and output in by_id[mid].outputs:
            out.append(KnownWrong(by_id[mid], output, value))
    return out
