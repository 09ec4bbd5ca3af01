"""Everything an exercise declaration (exercises/<id>/checks.py) needs, in one import.

    from grader.authoring import *

See `grader.spec` for the contract and `grader.checks` for the kinds of check.
"""

from grader.checks import (AccuracyCheck, DeterminismCheck, MutationCheck, SecondCallCheck, SequenceCheck,
                           Target, ValueCheck)
from grader.convention import Kind, Quantity
from grader.mutants import Decomposition, Mutant
from grader.script import In, Lit, attr, call, func, new, run_only
from grader.spec import Exercise, NumericSpec
from grader.trial import TrialPlan

__all__ = [
    "AccuracyCheck", "DeterminismCheck", "MutationCheck", "SecondCallCheck", "SequenceCheck", "Target", "ValueCheck",
    "Kind", "Quantity", "Decomposition", "Mutant", "In", "Lit", "attr", "call", "func", "new", "run_only", "Exercise", "NumericSpec", "TrialPlan",
]
