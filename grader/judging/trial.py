"""Trials (one script run on one set of inputs) and what is expected of them.

A trial has a name ("public-1", "hidden-2", "numeric-1", ...), the recipe it
runs, the steps, the inputs the parent generated, and a visibility:
"public" (stored in the exercise's fixture, known to students), "hidden"
(generated at grading from the live reference, never stored), "numeric"
(expected values come from finite differences of the student's own forward)
or "probe" (run for a structural check; nothing is compared to an oracle).

Inputs whose name starts with "_" are private: they stay in the parent (for
example a held-out test set) and are never sent to the worker.

Seeds are derived from the exercise id, the trial name and an optional salt
with SHA-256, and feed a private np.random.Generator (PCG64); the global
numpy RNG is never touched.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from grader.isolation.script import Step
from grader.judging.values import Value


def seed_for(exercise_id: str, trial_name: str, salt: str = "") -> int:
    """A 64-bit seed from the exercise id, trial name and salt."""
    digest = hashlib.sha256(f"{exercise_id}/{trial_name}/{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def rng_for(exercise_id: str, trial_name: str, salt: str = "") -> np.random.Generator:
    """A private, seeded generator for one trial."""
    return np.random.Generator(np.random.PCG64(seed_for(exercise_id, trial_name, salt)))


@dataclass(frozen=True)
class TrialPlan:
    """A trial an exercise declares: name, recipe, input variant, and whether its data is stored.

    store=False: the fixture keeps nothing (inputs too large, or no expected
    values needed); the inputs are regenerated from the seed, and without the
    reference the expected values come from finite differences of the
    student's forward.
    kink=True: some inputs sit exactly on a kink (for example a ReLU input of
    0); finite differences are never taken there.
    """

    name: str
    recipe: str
    variant: str = "public"
    store: bool = True
    kink: bool = False


@dataclass(frozen=True, eq=False)
class Trial:
    """One script run on one set of inputs.

    shared: the worker gets the input arrays in memory the parent reads back
    after the trial (`grader.isolation.session.WorkerSession.run`), so what the calls
    did to their inputs is seen by the parent itself.
    repeats: the name of the trial this one runs again on the same inputs
    (`DeterminismCheck`): checks find their trials by such declared links,
    never by the order they were prepared in or by generated step names.
    """

    name: str
    recipe: str
    steps: tuple[Step, ...]
    inputs: Mapping[str, object]
    visibility: str
    store: bool = True
    kink: bool = False
    shared: bool = False
    repeats: str = ""

    @property
    def sent_inputs(self) -> dict[str, object]:
        """The inputs the worker receives (private ones removed)."""
        return {k: v for k, v in self.inputs.items() if not k.startswith("_")}

    def step(self, out: str) -> Step | None:
        for s in self.steps:
            if s.out == out:
                return s
        return None

    def class_of(self, handle: str) -> str:
        for s in self.steps:
            if s.op == "new" and s.out == handle:
                return s.target
        return handle


@dataclass(frozen=True, eq=False)
class Projected:
    """Directional expectations for a large gradient g: ⟨g, u_k⟩ ≈ values[k].

    directions are laid out like g (the course convention); used when the
    oracle is a finite difference along random directions.
    """

    shape: tuple[int, ...]
    directions: tuple[np.ndarray, ...]
    values: tuple[float, ...]


@dataclass(frozen=True, eq=False)
class Expectation:
    """What one output of one trial should be.

    expected: a Value (exact or entry-by-entry numeric) or a Projected.
    source: "exact" (reference or stored values) or "numeric" (finite
    differences of the student's own forward); decides the tolerance.
    alternative: a second accepted value per entry (NaN where none), for
    entries at a kink where both one-sided derivatives are accepted.
    known: known wrong answers for this output (`grader.judging.mutants.KnownWrong`).
    parts: per-window contributions of this output, if it decomposes.
    consistent: the gradient that finite differences of the student's own
    (wrong) forward give, to tell a backward consistent with a wrong forward.
    """

    expected: Value | Projected
    source: str = "exact"
    alternative: np.ndarray | None = None
    note: str = field(default="")
    known: tuple = ()
    parts: tuple | None = None
    consistent: np.ndarray | None = None
