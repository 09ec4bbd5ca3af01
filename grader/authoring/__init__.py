"""Course authoring: declaring exercises, building what students receive, and the course folder.

Modules: `declare` (an exercise read from its reference: `layer`, `functions`), `spec` (the `Exercise` the
engine runs), `course` (the course folder and course.toml's assignments), `build` and `templates`, `fixtures`,
`handout` (stubs, public cases, notebooks), `validate` (every name resolves, before anything is written),
`scaffold` (`grade new`), `release` (`grade handout`).

Everything an exercise declaration (exercises/<id>/checks.py) needs is one import away:

    from grader.authoring import layer, functions, labels, special           # the surface (docs/authoring.md)
    from grader.authoring import Exercise, ValueCheck, Target, In, call, ...  # the engine underneath

The names are loaded on first use, so importing a module of this package never pulls in the judging side.
"""

from __future__ import annotations

import importlib

_NAMES = {
    "layer": "grader.authoring.declare", "functions": "grader.authoring.declare",
    "labels": "grader.authoring.declare", "away_from_zero": "grader.authoring.declare",
"special": "grader.judging.special",
    "AccuracyCheck": "grader.judging.checks", "DeterminismCheck": "grader.judging.checks",
    "MutationCheck": "grader.judging.checks", "SecondCallCheck": "grader.judging.checks",
    "SequenceCheck": "grader.judging.checks", "Target": "grader.judging.checks", "ValueCheck": "grader.judging.checks",
    "Kind": "grader.judging.convention", "Quantity": "grader.judging.convention",
    "Decomposition": "grader.judging.mutants", "Mutant": "grader.judging.mutants",
    "In": "grader.isolation.script", "Lit": "grader.isolation.script", "attr": "grader.isolation.script",
    "call": "grader.isolation.script", "func": "grader.isolation.script", "new": "grader.isolation.script",
    "run_only": "grader.isolation.script",
    "Exercise": "grader.authoring.spec", "NumericSpec": "grader.authoring.spec", "TrialPlan": "grader.judging.trial",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"grader.authoring has no {name!r}")
    return getattr(importlib.import_module(module), name)
