"""How an exercise is declared: the contract between course staff and the grader.

Each `exercises/<id>/checks.py` defines a module-level `EXERCISE = Exercise(...)`:

- `recipes`: named scripts (`grader.isolation.script`) saying which calls to make;
- `make_inputs(recipe, variant, rng)`: the inputs for one trial, drawn from
  the private generator `rng`; variant is "public" or "hidden" (hidden
  trials use other shapes). Dimensions must be distinct so that a
  transposed answer can never pass, and inputs must keep every ReLU
  pre-activation away from 0 by a safe margin (kink-aware);
- `public` and `hidden`: the trials, as `TrialPlan`s;
- `checks`: the checks (`grader.judging.checks`), each with its own points and each
  owning one property (the exercise's docstring tables which); a class-based
  exercise has a `SequenceCheck` on a recipe that calls one object again with
  other inputs and fresh objects with copies of them;
- `numeric`: for grading without the reference, which gradients can be
  obtained by finite differences of the student's own forward;
- `alternatives(trial, expected)`: second accepted values at kinks;
- `mutants` and `decompositions` (`grader.judging.mutants`): known wrong answers and
  per-window contributions, for naming the misconception behind a failure;
- `factors(trial)`: named constants of a trial (e.g. {"B, the batch size": 6})
  so a scale bug is reported as "6 (= B, the batch size) times";
- `hints`: {diagnosis code: hint} in the exercise's own terms (the idea of
  its statement or lecture); a check's `hints` win over them, and they win
  over the convention's and the generic ones (`grader.judging.diagnosis.choose_hint`).

The grader never imports the reference or the student's code here: the
exercise only describes calls and inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from grader.isolation.script import Step
from grader.judging.trial import Trial, TrialPlan, rng_for
from grader.judging.values import Value


@dataclass(frozen=True)
class NumericSpec:
    """Gradients a finite difference of the student's forward can provide.

    forward: steps that build the object and compute the output to
    differentiate (using only the inputs named in `wrt`, `upstream` and any
    fixed ones); output: the `out` of the step holding that output;
    upstream: the input holding the upstream gradient (None when the output
    is already the scalar loss); wrt: pairs (input name, output name of that
    input's gradient in `recipe`); recipe: the recipe whose gradients these are.
    directional: use random directions instead of every entry (large inputs);
    a directional spec has exactly one `wrt` input and applies to the
    recipe's trials that are not stored.
    verify: (recipe, output) whose stored value the student's forward must
    match before its finite differences are trusted; default (recipe, output).
    layout: "row" or "same" (see the field).
    """

    recipe: str
    forward: tuple[Step, ...]
    output: str
    upstream: str | None
    wrt: tuple[tuple[str, str], ...]
    directional: bool = False
    verify: tuple[str, str] | None = None
    #: How the gradients are laid out: "row" (the column convention: a column input's gradient is a row)
    #: or "same" (every gradient has its variable's shape, as in the batch convention).
    layout: str = "row"


Alternatives = Callable[[Trial, Mapping[str, Value]], Mapping[str, np.ndarray]]


@dataclass(frozen=True)
class Exercise:
    """One exercise: the student's file, the trials to run, and the checks."""

    id: str
    title: str
    file: str
    order: int
    recipes: Mapping[str, tuple[Step, ...]]
    make_inputs: Callable[[str, str, np.random.Generator], dict]
    public: tuple[TrialPlan, ...]
    hidden: tuple[TrialPlan, ...]
    checks: tuple
    numeric: tuple[NumericSpec, ...] = ()
    alternatives: Alternatives | None = None
    summary: str = ""
    mutants: tuple = ()
    decompositions: tuple = ()
    factors: Callable[[Trial], Mapping[str, float]] | None = None
    #: Code for the notebook's "try it" cell: small inputs to call the student's code on.
    try_it: str = ""
    #: {diagnosis code: hint} in this exercise's terms, over the convention's and the generic ones
    #: (a check's own `hints` win over these; see `grader.judging.diagnosis.choose_hint`).
    hints: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "hints", MappingProxyType(dict(self.hints)))

    def decomposition_for(self, recipe: str):
        return next((d for d in self.decompositions if d.recipe == recipe), None)

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.checks))

    @property
    def entry_names(self) -> set[str]:
        """The module-level names the recipes use (classes built, functions called)."""
        return {s.target for steps in self.recipes.values() for s in steps if s.op in ("new", "func")}

    @property
    def module_name(self) -> str:
        return self.file[:-3] if self.file.endswith(".py") else self.file

    def make_trial(self, plan: TrialPlan, visibility: str, salt: str = "") -> Trial:
        """Generate a trial's inputs from its seeded generator."""
        rng = rng_for(self.id, plan.name, salt)
        inputs = self.make_inputs(plan.recipe, plan.variant, rng)
        return Trial(plan.name, plan.recipe, self.recipes[plan.recipe], inputs, visibility, plan.store, plan.kink)

    def validate(self) -> None:
        """Raise ValueError if the declaration is inconsistent (checked when loaded)."""
        ids = [c.id for c in self.checks]
        if len(ids) != len(set(ids)):
            raise ValueError(f"exercise {self.id}: duplicate check ids")
        for c in self.checks:
            if not c.id.startswith(self.id + "."):
                raise ValueError(f"exercise {self.id}: check id {c.id} must start with '{self.id}.'")
        names = [p.name for p in self.public + self.hidden]
        if len(names) != len(set(names)):
            raise ValueError(f"exercise {self.id}: duplicate trial names")
        for p in self.public + self.hidden:
            if p.recipe not in self.recipes:
                raise ValueError(f"exercise {self.id}: trial {p.name} uses unknown recipe {p.recipe}")
        ids = [m.id for m in self.mutants]
        if len(ids) != len(set(ids)):
            raise ValueError(f"exercise {self.id}: duplicate mutant ids")
        from grader.judging.diagnosis import ALL_CODES
        for code in [c for c in self.hints if c not in ALL_CODES] + [c for ch in self.checks
                                                                     for c, _ in getattr(ch, "hints", ())
                                                                     if c not in ALL_CODES]:
            raise ValueError(f"exercise {self.id}: a hint for the unknown diagnosis code {code!r}")
        for spec in self.numeric:
            if spec.directional and len(spec.wrt) != 1:
                raise ValueError(f"exercise {self.id}: a directional numeric check needs exactly one input")
        for recipe, steps in self.recipes.items():
            outs = [s.out for s in steps]
            if len(outs) != len(set(outs)):
                raise ValueError(f"exercise {self.id}: recipe {recipe} reuses an output name")
