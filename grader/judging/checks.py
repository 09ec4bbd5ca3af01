"""The kinds of check, and how each turns trial outcomes into a verdict.

Every verdict is formed here, in the trusted parent, from validated plain
arrays. A check earns all its points or none, and checks are independent:
each looks only at the outputs it names.

Kinds:
- ValueCheck: an output (or several) against the oracle, over every trial of
  a recipe: structure first (`grader.judging.structure`), then values with the
  scale-aware tolerance (`grader.judging.compare`), then a diagnosis of what is wrong.
- MutationCheck: no input array changes while the calls run.
- DeterminismCheck: two identical runs give bitwise-equal results.
- SequenceCheck (formerly SecondCallCheck): calls on an object used before,
  with other inputs, give what the same calls give on a fresh object
  (nothing carried over, nothing cached from an earlier call).
- AccuracyCheck: a trained model reaches an accuracy on held-out data that
  only the parent holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np

from grader.judging import diagnosis as dx
from grader.judging import explain
from grader.judging.compare import compare, compare_projected, lowest_precision, rtol_for
from grader.judging.convention import Kind, Quantity
from grader.outputs.results import CaseCount, CheckResult, Worst
from grader.isolation.script import Held
from grader.judging.structure import Rejected, as_labels, as_scalar, as_tensor
from grader.judging.trial import Expectation, Projected, Trial
from grader.judging.values import Frame, Outcome, StepError, Value, shape_text

#: Messages of numpy's refusal to turn a (1, 1) array into a float.
_FLOAT_OF_ARRAY = ("only 0-dimensional arrays can be converted", "only length-1 arrays can be converted",
                   "only size-1 arrays can be converted")
FLOAT_OF_ARRAY_HINT = ("numpy >= 2.4 refuses float() of a (1, 1) array, and a product of a row and a column is "
                       "such an array: use .item() to take the number out.")


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may look at: trials, their outcomes, and the oracle."""

    exercise_id: str
    file: str
    trials: tuple[Trial, ...]
    outcomes: Mapping[str, Mapping[str, Outcome]]
    expectations: Mapping[str, Mapping[str, Expectation]]
    exercise: object = None
    forward_ok: Mapping[str, bool] = field(default_factory=dict)
    gradients: Mapping[str, frozenset] = field(default_factory=dict)
    #: {trial name: {input name: its bytes after the trial}}, read by the parent from shared memory.
    inputs_after: Mapping[str, Mapping[str, bytes]] = field(default_factory=dict)
    #: {trial name: "f32"/"f64"}, filled on first use by `trial_precision`.
    _precision: dict = field(default_factory=dict, repr=False, compare=False)

    def trial_precision(self, trial: Trial) -> str:
        """The lowest precision the student's code used in this trial.

        float32 counts when a returned float result shows it, or when the worker saw a float32 array in
        the student's objects or a kept cache (`Outcome.float32`: read from the computation, so a
        float32 forward whose result a float64 upstream turned into float64 counts too). Every
        comparison of the trial uses the tolerance of that precision
        (`grader.judging.compare.lowest_precision`), so a correct implementation that
        mixes float32 and float64 passes whichever result is compared.
        """
        found = self._precision.get(trial.name)
        if found is None:
            arrays = []

            def collect(v: Value | None) -> None:
                if v is None:
                    return
                if v.kind == "seq":
                    for item in v.items:
                        collect(item)
                elif v.kind in ("array", "scalar", "subclass") and v.array is not None \
                        and v.array.dtype.kind == "f":
                    arrays.append(v.array)
            outcomes = self.outcomes.get(trial.name, {}).values()
            for o in outcomes:
                collect(o.value)
            worked32 = any(o.float32 for o in outcomes)
            found = self._precision[trial.name] = "f32" if worked32 else lowest_precision(arrays)
        return found

    def precision(self, trial: Trial, own: str) -> str:
        """The precision to judge a result by: its own, or the trial's when that is lower."""
        return "f32" if own == "f32" else self.trial_precision(trial)

    def factors(self, trial: Trial) -> Mapping[str, float] | None:
        ex = self.exercise
        return ex.factors(trial) if ex is not None and ex.factors is not None else None

    def part_name(self, recipe: str) -> str:
        ex = self.exercise
        dec = ex.decomposition_for(recipe) if ex is not None else None
        return dec.part if dec is not None else "window"

    def localise(self, trial: Trial, output: str) -> str:
        """A prefix saying whether the forward of this trial was right, for a failing gradient."""
        if output not in self.gradients.get(trial.recipe, frozenset()):
            return ""
        if self.forward_ok.get(trial.name) is True:
            return "Your forward pass matches, so the mistake is in the backward pass"
        return ""

    def trials_for(self, recipe: str) -> list[Trial]:
        return [t for t in self.trials if t.recipe == recipe]

    def trial(self, name: str) -> Trial | None:
        for t in self.trials:
            if t.name == name:
                return t
        return None

    def outcome(self, trial: Trial, out: str) -> Outcome:
        got = self.outcomes.get(trial.name, {}).get(out)
        return got if got is not None else Outcome(error=StepError("died", "", "this call was never made"))

    def expectation(self, trial: Trial, out: str) -> Expectation | None:
        return self.expectations.get(trial.name, {}).get(out)

    def describe(self, trial: Trial, out: str) -> str:
        """The call that produced `out`, in the student's terms, e.g. `Linear.backward(dz)`."""
        step = trial.step(out)
        if step is None:
            return out
        if step.op in ("call", "attr"):
            cls = trial.class_of(step.target)
            inner = step.describe().split(".", 1)[1]
            return f"{cls}.{inner}"
        if step.op == "pick":
            return f"{self.describe(trial, step.target)}[{step.name}]"
        return step.describe()

    def root_error(self, trial: Trial, out: str) -> tuple[StepError | None, str]:
        """The error behind `out`, and the `out` name of the step it belongs to.

        A step skipped because its object could not be built inherits the
        constructor's error. An attribute read inherits the error of the last
        call on the same object before it (for example `self.dW` after a
        `backward` that raised): that call was supposed to set it.
        """
        err = self.outcome(trial, out).error
        step = trial.step(out)
        if step is None:
            return err, out
        if err is not None and err.kind == "skipped":
            for s in trial.steps:
                if s.op == "new" and s.out == step.target:
                    inner = self.outcome(trial, s.out).error
                    if inner is not None:
                        return inner, s.out
            # A picked item, or a call given a held item, inherits the error of the step that returned it.
            sources = [step.target] if step.op == "pick" else []
            sources += [a.out for a in (*step.args, *(v for _, v in step.kwargs)) if isinstance(a, Held)]
            for src in sources:
                if src != out and self.outcome(trial, src).error is not None:
                    return self.root_error(trial, src)
        if step.op == "attr":
            before = [s for s in trial.steps[:trial.steps.index(step)] if s.op == "call" and s.target == step.target]
            if before:
                prior = self.outcome(trial, before[-1].out).error
                if prior is not None:
                    return self.root_error(trial, before[-1].out)
        return err, out

    def blocking_error(self, trial: Trial, out: str) -> bool:
        """True when `out` failed, or is an attribute whose setting call failed."""
        return self.root_error(trial, out)[0] is not None


@dataclass(frozen=True)
class Problem:
    """Why one output of one trial failed (or None fields when it passed)."""

    passed: bool
    codes: tuple[str, ...] = ()
    words: str = ""
    trial: str = ""
    visibility: str = ""
    rank: int = 0
    max_rel_error: float | None = None
    worst: Worst | None = None
    expected_layout: str = ""
    given_layout: str = ""
    frames: tuple[Frame, ...] = ()
    hint: str = ""
    specific: bool = False
    #: The root cause of a failed step (`grader.judging.explain.cause_of`): the same text for every check it cost.
    cause: str = ""
    #: The checked quantity (`grader.judging.convention.Quantity`), whose convention gives the layout codes' hints.
    quantity: Quantity | None = None


def error_problem(ctx: CheckContext, trial: Trial, out: str) -> Problem:
    """Turn a failed step into a Problem the student can act on."""
    err, where = ctx.root_error(trial, out)
    what = ctx.describe(trial, where)
    step = trial.step(where)
    kind = err.kind
    hint = ""
    if kind == "not_implemented":
        codes, words = (dx.NOT_IMPLEMENTED,), f"{what} is not implemented yet: it still raises NotImplementedError"
    elif kind == "missing":
        codes = (dx.MISSING,)
        suggestion = f" ({err.message})" if err.message else ""
        if step is not None and step.op in ("new", "func"):
            words = f"{ctx.file} defines no `{step.target}`{suggestion}"
        elif step is not None and step.op == "attr":
            cls = trial.class_of(step.target)
            before = [s for s in trial.steps[:trial.steps.index(step)] if s.op == "call" and s.target == step.target]
            after = f" after {ctx.describe(trial, before[-1].out)}" if before else ""
            words = f"your {cls} has no attribute `{step.name}`{after}{suggestion}"
        elif step is not None:
            words = f"your {trial.class_of(step.target)} has no method `{step.name}`{suggestion}"
        else:
            words = f"a name is missing{suggestion}"
    elif kind == "memory":
        codes, words = (dx.MEMORY,), f"{what} ran out of memory (MemoryError)"
    elif kind == "recursion":
        codes, words = (dx.CRASHED,), f"{what} recursed too deeply (RecursionError)"
    elif kind == "exit":
        codes = (dx.CRASHED,)
        words = f"{what} called sys.exit(); code under test must return its result, not exit"
    elif kind == "interrupt":
        codes, words = (dx.CRASHED,), f"{what} raised KeyboardInterrupt"
    elif kind == "forbidden":
        codes, words = (dx.FORBIDDEN,), f"{what} tried something the grader blocks: {err.headline()}"
    elif kind == "timeout":
        codes, words = (dx.TIMEOUT,), f"{what} did not finish: {err.message}"
    elif kind == "not_run":
        codes, words = (dx.TIMEOUT,), f"{what} was not run: {err.message}"
    elif kind == "lost":
        codes, words = (dx.TIMEOUT,), f"the result of {what} was lost: {err.message} later in the same case"
    elif kind == "died":
        codes, words = (dx.CRASHED,), f"the process running your code stopped during {what}: {err.message}"
    else:
        codes, words = (dx.CRASHED,), f"{what} raised {err.headline()}"
        if err.exc_type == "TypeError" and any(m in err.message for m in _FLOAT_OF_ARRAY):
            hint = FLOAT_OF_ARRAY_HINT
        else:
            hint = explain.hint_for(err)
    attempts = ctx.outcome(trial, where).attempts
    if attempts and dx.FORBIDDEN not in codes:
        codes = codes + (dx.FORBIDDEN,)
    if attempts:
        words += f" (it also tried to do what the grader blocks: {'; '.join(attempts[:3])})"
    return Problem(False, codes, words, trial.name, trial.visibility, rank=3, frames=err.frames, hint=hint,
                   cause=explain.cause_of(err, words, what))


def _with_attempts(problem: Problem, attempts: tuple[str, ...]) -> Problem:
    """Add the forbidden code to a failing problem whose call attempted blocked operations."""
    if problem.passed or not attempts or dx.FORBIDDEN in problem.codes:
        return problem
    from dataclasses import replace as _replace

    return _replace(problem, codes=problem.codes + (dx.FORBIDDEN,),
                    words=f"{problem.words} (the code also tried to do what the grader blocks: "
                          f"{'; '.join(attempts[:3])})")


def _pick(value: Value, item: int | None) -> Value | None:
    if item is None:
        return value
    if value.kind == "seq" and len(value.items) > item:
        return value.items[item]
    return None


def _expected_array(value: Value) -> np.ndarray:
    if value.kind == "seq":
        raise ValueError("expected value is a sequence; name an item")
    return np.asarray(value.array, dtype=np.float64)


@dataclass(frozen=True)
class Target:
    """One output a ValueCheck judges: its step output name, what it is, and an optional tuple item."""

    output: str
    quantity: Quantity
    item: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Check:
    """Base class: an id ("fc.backward.dW"), a title, and points.

    hints: (diagnosis code, hint) pairs of this check, which win over the
    exercise's, the convention's and the generic ones (`grader.judging.diagnosis.choose_hint`).
    """

    id: str
    title: str
    points: float
    hints: tuple[tuple[str, str], ...] = field(default=(), kw_only=True)

    def prepare(self, trials: list[Trial]) -> list[Trial]:
        """The trials to run, given the exercise's own: a check may instrument one or add its own.

        Default: unchanged.
        """
        return trials

    def evaluate(self, ctx: CheckContext) -> CheckResult:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- helpers for subclasses ------------------------------------------------

    def _result(self, problems: list[Problem], counts: tuple[CaseCount, ...] = (),
                extra_codes: tuple[str, ...] = (), subject: str = "", ctx: CheckContext | None = None
                ) -> CheckResult:
        failing = [p for p in problems if not p.passed]
        errors = [p.max_rel_error for p in problems if p.max_rel_error is not None]
        max_err = max(errors) if errors else None
        if not failing:
            notes = sorted({p.words for p in problems if p.words})
            message = "passed" + (f" on {_count_words(counts)}" if counts else "")
            message += "".join(f"; {n}" for n in notes)
            return CheckResult(self.id, self.title, True, float(self.points), float(self.points), (),
                               message, "", max_err, cases=counts)
        # Report the most telling failure: errors before wrong shapes before wrong values, a named
        # misconception before "wrong_value", public cases before hidden ones, then the largest error.
        order = {"public": 0, "hidden": 1, "numeric": 2, "probe": 3}

        def telling(p: Problem):
            vague = p.codes == (dx.WRONG_VALUE,)
            return (-p.rank, not p.specific, vague, order.get(p.visibility, 4), -(p.max_rel_error or 0.0))
        primary = sorted(failing, key=telling)[0]
        codes = primary.codes + tuple(c for c in extra_codes if c not in primary.codes)
        where = f" (case {primary.trial})" if primary.trial and primary.visibility != "probe" else ""
        tally = ""
        total = len({p.trial for p in problems})
        if total > 1:
            tally = f" Failed on {len({p.trial for p in failing})} of {total} cases."
        prefix = f"{subject}: " if subject and primary.rank < 3 else ""
        message = f"{prefix}{primary.words}{where}.{tally}".strip()
        # A code that refines wrong_shape (not_summed_over_batch) gives the hint before wrong_shape does.
        preferred = [c for c in extra_codes if c in codes] + [c for c in codes if c in _REFINED] + list(codes)
        hint = primary.hint or dx.choose_hint(preferred, check=self, exercise=ctx.exercise if ctx else None,
                                              quantity=primary.quantity)
        return CheckResult(self.id, self.title, False, 0.0, float(self.points), codes, message, hint, max_err,
                           primary.worst, primary.expected_layout, primary.given_layout, primary.frames, counts,
                           cause=primary.cause)


#: Codes more specific than the layout code they come with.
_REFINED = (dx.NOT_SUMMED, dx.NOT_RESHAPED)


def _count_words(counts: tuple[CaseCount, ...]) -> str:
    parts = [f"{c.total} {c.visibility}" for c in counts if c.total]
    return ", ".join(parts) + (" case" if sum(c.total for c in counts) == 1 else " cases")


def _counts(problems: list[Problem]) -> tuple[CaseCount, ...]:
    """Cases passed per visibility; a case passes when every output judged on it passed."""
    by_trial: dict[str, tuple[str, bool]] = {}
    for p in problems:
        prev = by_trial.get(p.trial)
        by_trial[p.trial] = (p.visibility, p.passed and (prev is None or prev[1]))
    per: dict[str, list[bool]] = {}
    for vis, ok in by_trial.values():
        per.setdefault(vis, []).append(ok)
    order = ["public", "hidden", "numeric", "probe"]
    return tuple(CaseCount(v, sum(per[v]), len(per[v])) for v in order if v in per)


@dataclass(frozen=True)
class ValueCheck(Check):
    """Judge outputs of every trial of `recipe` against the oracle.

    what: how the statement names the checked thing, e.g. "Linear.backward(dz) → self.dW".
    extra_codes: codes added on failure, by cause: keys "memory", "non_finite" or "any".
    moderate: a recipe whose trials compute the same outputs in an ordinary regime (e.g. "main" for
    the stability trials). When set, this check owns what changes between that regime and its own:
    an output that is already wrong there (a wrong formula, which the value checks of that recipe
    report) is judged here on structure and finiteness only, so one bug never costs this check too.
    """

    targets: tuple[Target, ...] = ()
    recipe: str = "main"
    what: str = ""
    extra_codes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    moderate: str = ""

    def _wrong_in_moderate(self, ctx: CheckContext, target: Target) -> bool:
        """Is `target` already wrong (a wrong value, not a crash) on some trial of the moderate recipe?"""
        for trial in ctx.trials_for(self.moderate):
            exp = ctx.expectation(trial, target.output)
            if exp is None or ctx.blocking_error(trial, target.output):
                continue
            p = self.judge(ctx, trial, target, exp)
            if not p.passed:
                return True
        return False

    def evaluate(self, ctx: CheckContext) -> CheckResult:
        problems: list[Problem] = []
        lenient = {t.output: self._wrong_in_moderate(ctx, t) for t in self.targets} if self.moderate else {}
        for trial in ctx.trials_for(self.recipe):
            for target in self.targets:
                exp = ctx.expectation(trial, target.output)
                if exp is None:
                    continue
                problem = self.judge(ctx, trial, target, exp)
                if lenient.get(target.output) and not problem.passed and dx.NON_FINITE not in problem.codes:
                    label = target.label or target.quantity.symbol
                    problem = Problem(True, words=f"{label} was checked for finiteness only, since it is already "
                                                  f"wrong in the ordinary cases (another check reports that)",
                                      trial=trial.name, visibility=trial.visibility)
                problems.append(_with_attempts(problem, ctx.outcome(trial, target.output).attempts))
        if not problems:
            blocked = [error_problem(ctx, t, target.output) for t in ctx.trials_for(self.recipe)
                       for target in self.targets if ctx.blocking_error(t, target.output)]
            if blocked:
                return self._result(blocked[:1], subject=self.what, ctx=ctx)
            return CheckResult(self.id, self.title, False, 0.0, float(self.points), (dx.WRONG_VALUE,),
                               "no case could be checked (no expected values are available)")
        extra: tuple[str, ...] = ()
        table = dict(self.extra_codes)
        for p in problems:
            if p.passed:
                continue
            if dx.MEMORY in p.codes:
                extra += table.get("memory", ())
            if dx.NON_FINITE in p.codes:
                extra += table.get("non_finite", ())
            if not ({dx.NOT_IMPLEMENTED, dx.MISSING, dx.CRASHED, dx.TIMEOUT} & set(p.codes)):
                extra += table.get("any", ())
        return self._result(problems, _counts(problems), tuple(dict.fromkeys(extra)), self.what, ctx=ctx)

    def judge(self, ctx: CheckContext, trial: Trial, target: Target, exp: Expectation) -> Problem:
        """The verdict on one output of one trial."""
        base = dict(trial=trial.name, visibility=trial.visibility)
        outcome = ctx.outcome(trial, target.output)
        if ctx.blocking_error(trial, target.output):
            return error_problem(ctx, trial, target.output)
        q = target.quantity
        expected = exp.expected
        if target.item is not None and isinstance(expected, Value):
            expected = _pick(expected, target.item)
        value = _pick(outcome.value, target.item)
        label = target.label or q.symbol
        if value is None:
            return Problem(False, (dx.WRONG_TYPE,), f"returned {outcome.value.describe()}, where a tuple holding "
                           f"{label} as item {target.item} is expected", rank=2, **base)
        if isinstance(expected, Projected):
            shape = expected.shape
        elif q.kind is Kind.SCALAR:
            shape = ()
        else:
            shape = tuple(expected.array.shape)
        exp_words = q.expected_words(shape)
        if q.kind is Kind.SCALAR:
            st = as_scalar(value)
        elif q.kind is Kind.LABELS:
            st = as_labels(value, shape)
        else:
            st = as_tensor(value, shape, q, self._others(ctx, target, exp))
        if isinstance(st, Rejected):
            given_words = st.words.removeprefix("has shape ")
            words = f"{label} {st.short or st.words}"
            codes = st.codes
            worst = None
            max_err = None
            if st.usable is not None and not isinstance(expected, Projected) and q.kind is not Kind.LABELS:
                exp_arr = _expected_array(expected)
                if st.usable.shape == exp_arr.shape:
                    cmp = compare(st.usable, exp_arr, rtol=rtol_for(exp.source, ctx.precision(trial, st.precision)),
                                  alternative=exp.alternative if exp.alternative is not None
                                  and exp.alternative.shape == exp_arr.shape else None)
                    # The type is named before the layout: a matrix or a bool array of the right shape
                    # needs converting, not rearranging.
                    how = "Converted to a float ndarray" if dx.WRONG_TYPE in codes else \
                        st.how or "Rearranged into the expected layout"
                    what = "type" if dx.WRONG_TYPE in codes else st.what or "layout"
                    if cmp.passed:
                        words += f". {how}, its values are right, so only the {what} is wrong"
                    else:
                        finding = self.explain(ctx, trial, target, exp, st.usable, exp_arr, cmp.rtol)
                        words += f". {how}, {finding.words}"
                        codes = codes + tuple(c for c in finding.codes if c != dx.WRONG_VALUE)
                        max_err = cmp.max_rel_error
            return Problem(False, codes, words, rank=2, max_rel_error=max_err, worst=worst,
                           expected_layout=exp_words, given_layout=given_words, quantity=q, **base)
        if isinstance(expected, Projected) and not expected.directions:
            return Problem(True, words=exp.note, **base)
        if isinstance(expected, Projected):
            rtol = rtol_for(exp.source, ctx.precision(trial, st.precision))
            cmp = compare_projected(st.array, expected.directions, expected.values, rtol=rtol)
            if cmp.passed:
                return Problem(True, max_rel_error=cmp.max_rel_error, **base)
            finding = _diagnose_projected(st.array, expected, rtol)
            return Problem(False, finding.codes,
                           f"{label} fails a directional check (its projection on a random direction is off): "
                           f"{finding.words}", rank=1, max_rel_error=cmp.max_rel_error,
                           worst=Worst(trial.name, cmp.worst_index, cmp.expected, cmp.given),
                           expected_layout=exp_words, **base)
        exp_arr = _expected_array(expected)
        if q.kind is Kind.LABELS:
            wrong = st.array != exp_arr
            if not wrong.any():
                return Problem(True, max_rel_error=0.0, **base)
            i = int(np.argmax(wrong))
            return Problem(False, (dx.WRONG_VALUE,), f"{int(wrong.sum())} of {wrong.size} predicted labels are wrong",
                           rank=1, max_rel_error=float(wrong.mean()),
                           worst=Worst(trial.name, (i,), float(exp_arr[i]), float(st.array[i])),
                           expected_layout=exp_words, **base)
        rtol = rtol_for(exp.source, ctx.precision(trial, st.precision))
        alt = exp.alternative if exp.alternative is not None and exp.alternative.shape == exp_arr.shape else None
        cmp = compare(st.array, exp_arr, rtol=rtol, alternative=alt)
        if cmp.passed:
            return Problem(True, max_rel_error=cmp.max_rel_error, **base)
        finding = self.explain(ctx, trial, target, exp, st.array, exp_arr, rtol)
        source = " (expected values from finite differences of your own forward)" if exp.source == "numeric" else ""
        return Problem(False, finding.codes, f"{label} has the right shape and type, but {finding.words}{source}",
                       rank=1, max_rel_error=cmp.max_rel_error,
                       worst=Worst(trial.name, cmp.worst_index, cmp.expected, cmp.given),
                       expected_layout=exp_words, given_layout=f"{shape_text(st.array.shape)}, as expected",
                       hint=finding.hint, specific=finding.specific, **base)

    @staticmethod
    def _others(ctx: CheckContext, target: Target, exp: Expectation) -> dict[str, tuple[int, ...]]:
        """{symbol: expected shape} of the other array items of the tuple `target` is an item of.

        An item is named by the quantity of a target that reads it (in any
        check of the exercise), else "item i".
        """
        expected = exp.expected
        if target.item is None or not isinstance(expected, Value) or expected.kind != "seq":
            return {}
        names = {t.item: t.quantity.symbol for c in getattr(ctx.exercise, "checks", ())
                 for t in getattr(c, "targets", ()) if t.output == target.output and t.item is not None}
        out = {}
        for i in range(len(expected.items)):
            item = _pick(expected, i)
            if i != target.item and item is not None and item.array is not None and item.array.ndim >= 1:
                out[names.get(i, f"item {i}")] = tuple(item.array.shape)
        return out

    def explain(self, ctx: CheckContext, trial: Trial, target: Target, exp: Expectation, given: np.ndarray,
                expected: np.ndarray, rtol: float) -> dx.Finding:
        """Name what is wrong with a same-shaped tensor: mutants, window fit, generic; then localise."""
        known = [kw for kw in exp.known if kw.item == target.item]
        parts = exp.parts if target.item is None else None
        finding = dx.diagnose(given, expected, rtol=rtol, known=known, parts=parts, factors=ctx.factors(trial),
                              part=ctx.part_name(trial.recipe))
        if exp.consistent is not None and exp.consistent.shape == given.shape \
                and compare(given, exp.consistent, rtol=rtol_for("numeric", "f32")).passed:
            return dx.Finding(finding.codes,
                              f"{finding.words}. Your forward pass is wrong, and this gradient is consistent with "
                              f"it (it matches finite differences of your own forward): fix the forward first",
                              finding.hint, finding.specific)
        note = ctx.localise(trial, target.output)
        return dx.Finding(finding.codes, f"{finding.words}. {note}", finding.hint, finding.specific) \
            if note else finding


def _diagnose_projected(g: np.ndarray, expected: Projected, rtol: float) -> dx.Finding:
    got = np.array([float(np.sum(g * u)) for u in expected.directions])
    want = np.array(expected.values)
    return dx.diagnose_values(got, want, rtol=rtol)


def _arrays_equal(a: Value, b: Value) -> bool:
    if a.kind != b.kind or a.type_name != b.type_name:
        return False
    if a.kind == "seq":
        return len(a.items) == len(b.items) and all(_arrays_equal(x, y) for x, y in zip(a.items, b.items))
    if a.array is None or b.array is None:
        return a.array is None and b.array is None
    return (a.array.dtype == b.array.dtype and a.array.shape == b.array.shape
            and a.array.tobytes() == b.array.tobytes())


def _first_error(ctx: CheckContext, trial: Trial) -> Problem | None:
    for s in trial.steps:
        if s.op == "snapshot":
            continue
        if not ctx.outcome(trial, s.out).ok:
            return error_problem(ctx, trial, s.out)
    return None


def _nothing_ran(ctx: CheckContext, trial: Trial) -> Problem | None:
    """The error to report when no call of the trial (other than constructors) succeeded, else None.

    Hygiene checks judge the calls that did run; a crash elsewhere is the
    business of the checks that need that call.
    """
    calls = [s for s in trial.steps if s.op in ("call", "attr", "func")]
    if any(ctx.outcome(trial, s.out).ok and not ctx.blocking_error(trial, s.out) for s in calls):
        return None
    return _first_error(ctx, trial)


def gate_hygiene(checks: tuple, results: tuple[CheckResult, ...]) -> tuple[CheckResult, ...]:
    """Hygiene-type checks earn points only for code that produces at least one correct result.

    Otherwise code that computes nothing (zeros, garbage) would collect the
    points for not modifying its inputs and being deterministic. A gated check
    fails with the diagnosis of the first failing value check.
    """
    value_ids = {c.id for c in checks if isinstance(c, ValueCheck)}
    if any(r.passed for r in results if r.id in value_ids):
        return results
    first = next((r for r in results if r.id in value_ids and not r.passed), None)
    codes = first.diagnosis if first is not None else (dx.WRONG_VALUE,)
    # One root cause behind every failing value check is also what costs the gated checks.
    causes = {r.cause for r in results if r.id in value_ids and not r.passed}
    cause = first.cause if first is not None and len(causes) == 1 else ""
    gated = []
    for check, r in zip(checks, results):
        if isinstance(check, ValueCheck) or not r.passed:
            gated.append(r)
            continue
        gated.append(CheckResult(r.id, r.title, False, 0.0, r.max_score, codes,
                                 "not awarded yet: this check counts once at least one result of the exercise is "
                                 "correct, and none is so far", first.hint if first else "", cases=r.cases,
                                 cause=cause))
    return tuple(gated)


@dataclass(frozen=True)
class MutationCheck(Check):
    """No call may change the arrays it was given (or that the constructor was given).

    The verdict rests on evidence the parent gathers itself: the probe
    trial's inputs live in memory shared with the worker, and the parent
    reads them back after the calls (`CheckContext.inputs_after`) and
    compares them with its own copy. The worker's snapshots after each call
    only say which call to name in the message; a worker whose grader code
    was rewritten to claim "nothing changed" cannot move the verdict.
    """

    recipe: str = "main"

    def prepare(self, trials: list[Trial]) -> list[Trial]:
        """Instrument the first public trial: shared inputs, and a snapshot of them after every call."""
        base = next((t for t in trials if t.recipe == self.recipe and t.visibility == "public"), None)
        if base is None:
            return trials
        from grader.isolation.script import snapshot
        steps = []
        for i, s in enumerate(base.steps):
            steps += [s] if s.op == "snapshot" else [s, snapshot(f"__snapshot_{self.id}_{i}")]
        probe = replace(base, steps=tuple(steps), shared=True)
        return [probe if t is base else t for t in trials]

    def _probe(self, ctx: CheckContext) -> Trial | None:
        """The instrumented trial: the first public trial of the recipe, now with shared inputs."""
        return next((t for t in ctx.trials if t.recipe == self.recipe and t.visibility == "public" and t.shared
                     and not t.repeats), None)

    def _changed_after(self, ctx: CheckContext, trial: Trial, names: list[str]) -> dict[str, str]:
        """{input name: the call after which the worker's own snapshot shows it changed}, first call only.

        The snapshots are the worker's evidence (the arrays as it holds them,
        shape and dtype included); they can show a change, and the call to
        name, but the parent's reading of the shared memory decides alone
        whether the values changed.
        """
        found: dict[str, str] = {}
        for i, s in enumerate(trial.steps):
            if s.op != "snapshot":
                continue
            snap = ctx.outcome(trial, s.out).value
            items = snap.items if snap is not None and snap.kind == "seq" and len(snap.items) == len(names) else ()
            for position, name in enumerate(names):
                original = trial.sent_inputs[name]
                now = items[position].array if items and items[position].kind == "array" else None
                same = now is not None and now.shape == original.shape and now.dtype == original.dtype \
                    and now.tobytes() == original.tobytes()
                if not same and name not in found:
                    found[name] = ctx.describe(trial, trial.steps[i - 1].out)
        return found

    def evaluate(self, ctx: CheckContext) -> CheckResult:
        trial = self._probe(ctx)
        if trial is None:
            return self._result([Problem(False, (dx.WRONG_VALUE,), "no trial to check")], ctx=ctx)
        err = _nothing_ran(ctx, trial)
        if err is not None:
            return self._result([Problem(False, err.codes, f"could not check: {err.words}", trial.name, "probe",
                                         frames=err.frames, hint=err.hint, cause=err.cause)], ctx=ctx)
        after = ctx.inputs_after.get(trial.name, {})
        names = [k for k, v in trial.sent_inputs.items() if isinstance(v, np.ndarray)]
        blamed = self._changed_after(ctx, trial, names)
        for name in names:
            original = trial.sent_inputs[name]
            data = after.get(name)
            if data == original.tobytes() and name not in blamed:
                continue
            detail = ""
            if data is not None and len(data) == original.nbytes:
                now = np.frombuffer(data, dtype=original.dtype).reshape(original.shape)
                diff = np.argwhere(~((now == original) | (np.isnan(now) & np.isnan(original))))
                if len(diff):
                    idx = tuple(int(j) for j in diff[0])
                    detail = f" (entry {list(idx)} was {float(original[idx]):.6g}, now {float(now[idx]):.6g})"
            who = blamed.get(name) or "one of the calls"
            return self._result([Problem(False, (dx.MUTATED_INPUT,),
                                         f"{who} changed the input array `{name}` in place{detail}",
                                         trial.name, "probe")], ctx=ctx)
        return self._result([Problem(True, trial=trial.name, visibility="probe")], ctx=ctx)


@dataclass(frozen=True)
class DeterminismCheck(Check):
    """Two runs of the same calls on the same inputs, each on a fresh object, give bitwise-equal results."""

    recipe: str = "main"

    def prepare(self, trials: list[Trial]) -> list[Trial]:
        """Run the first public trial once more, on a fresh object, and compare the two runs."""
        base = next((t for t in trials if t.recipe == self.recipe and t.visibility == "public"), None)
        if base is None:
            return trials
        again = Trial(f"{base.name}#again", base.recipe, tuple(s for s in base.steps if s.op != "snapshot"),
                      base.inputs, "probe", repeats=base.name)
        return trials + [again]

    def evaluate(self, ctx: CheckContext) -> CheckResult:
        base = next((t for t in ctx.trials if t.recipe == self.recipe and t.visibility == "public"
                     and not t.repeats), None)
        b = next((t for t in ctx.trials if base is not None and t.repeats == base.name), None)
        a = base
        if a is None or b is None:
            return self._result([Problem(False, (dx.WRONG_VALUE,), "no trial to check")], ctx=ctx)
        for t in (a, b):
            err = _nothing_ran(ctx, t)
            if err is not None:
                return self._result([Problem(False, err.codes, f"could not check: {err.words}", t.name, "probe",
                                             frames=err.frames, hint=err.hint, cause=err.cause)], ctx=ctx)
        for s in b.steps:          # the repeat's steps: the base may also hold another check's snapshots
            if s.op in ("new", "snapshot"):
                continue
            oa, ob = ctx.outcome(a, s.out), ctx.outcome(b, s.out)
            if not oa.ok and not ob.ok:
                continue     # failed both times: other checks report it
            if oa.ok != ob.ok or not _arrays_equal(oa.value, ob.value):
                return self._result([Problem(
                    False, (dx.NONDETERMINISTIC,),
                    f"two identical runs gave different results for {ctx.describe(a, s.out)}; the same inputs "
                    f"must always give the same numbers", a.name, "probe")], ctx=ctx)
        return self._result([Problem(True, trial=a.name, visibility="probe")], ctx=ctx)


#: Hint for a result that depends on what earlier calls left on the object.
STALE_STATE_HINT = ("A method must compute from the object's parameters and its own arguments: keep from forward "
                    "only what the matching backward needs, overwrite it on every forward, start every sum from "
                    "zero in every backward, and never use a value kept from an earlier call where the argument "
                    "of this call is meant.")


def _arrays_of(value: Value | None) -> list[np.ndarray] | None:
    """The float arrays of a result (the items of a tuple in order), or None when it holds something else."""
    if value is None:
        return None
    if value.kind == "seq":
        out: list[np.ndarray] = []
        for item in value.items:
            part = _arrays_of(item)
            if part is None:
                return None
            out += part
        return out
    if value.kind in ("array", "subclass", "scalar") and value.array is not None and value.array.dtype.kind in "fiub":
        return [np.asarray(value.array, dtype=np.float64)]
    return None


def _same_layout(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(x.shape == y.shape for x, y in zip(a, b))


@dataclass(frozen=True)
class SequenceCheck(Check):
    """A method's result depends only on the object's parameters and its own arguments.

    The recipe calls one object several times with fresh inputs of other
    values (and, where the parameters allow, other shapes) and calls fresh
    objects with the data of the later calls. Outputs follow a naming rule:
    for each name in `names`,
      "<name>_2"  the result of the later call on the object used before;
      "<name>_3"  the same call, with copies of the same data, on a fresh object;
      "<name>_1"  (optional) the result of the first call on the used object.
    "<name>_2" must equal "<name>_3". When it equals "<name>_1" + "<name>_3"
    the first call's result carried over (`accumulated_across_calls`);
    any other difference, a result with the first call's shape, or a call
    that works on the used object and fails on a fresh one (it reads what
    an earlier call left, e.g. `jacobian(x)` using the x of the last
    forward) is `stale_cache`. Every failing name is reported in one run.
    The student's own numbers are compared with each other, so a
    wrong-but-consistent result does not fail this check: the value checks
    own correctness, this check owns independence from earlier calls.
    """

    recipe: str = "sequence"
    names: tuple[str, ...] = ()
    #: How the message names the sequence, e.g. "a second forward/backward on the same object".
    story: str = "a second forward/backward on the same object"

    def evaluate(self, ctx: CheckContext) -> CheckResult:
        problems = []
        for trial in ctx.trials_for(self.recipe):
            outs = [f"{n}_{k}" for n in self.names for k in (2, 3)]
            if not any(ctx.outcome(trial, o).ok for o in outs):
                err = _first_error(ctx, trial)
                if err is not None:
                    problems.append(Problem(False, err.codes, f"could not check: {err.words}", trial.name, "probe",
                                            frames=err.frames, hint=err.hint, cause=err.cause))
                    continue
            carried, stale, fails_fresh, fails_used = [], [], [], []
            worst = None
            for key in self.names:
                name = self._label(ctx, trial, key)
                used, fresh = ctx.outcome(trial, f"{key}_2"), ctx.outcome(trial, f"{key}_3")
                first = ctx.outcome(trial, f"{key}_1") if trial.step(f"{key}_1") is not None else None
                if used.ok and not fresh.ok and fresh.error is not None and fresh.error.kind not in (
                        "timeout", "not_run", "lost", "died", "memory"):
                    fails_fresh.append((name, fresh.error))
                    continue
                if fresh.ok and not used.ok and used.error is not None and used.error.kind not in (
                        "timeout", "not_run", "lost", "died", "memory", "skipped"):
                    fails_used.append((name, used.error))
                    continue
                a2, a3 = _arrays_of(used.value), _arrays_of(fresh.value)
                if a2 is None or a3 is None:
                    continue      # an error on both objects, or no float result: the value checks report it
                a1 = _arrays_of(first.value) if first is not None and first.ok else None
                if not _same_layout(a2, a3):
                    if a1 is not None and _same_layout(a2, a1):
                        stale.append(f"{name} (it has the shape of the earlier call's result)")
                    continue      # another structure: the value checks judge it
                cmps = [compare(x, y, rtol=1e-9) for x, y in zip(a2, a3)]
                if all(c.passed for c in cmps):
                    continue
                err = max(c.max_rel_error for c in cmps)
                worst = err if worst is None else max(worst, err)
                if a1 is not None and _same_layout(a1, a3) and all(
                        compare(x, y + z, rtol=1e-9).passed for x, y, z in zip(a2, a1, a3)):
                    carried.append(name)
                elif a1 is not None and _same_layout(a1, a2) and all(
                        compare(x, y, rtol=1e-9).passed for x, y in zip(a2, a1)):
                    stale.append(f"{name} (it repeats the earlier call's result)")
                else:
                    stale.append(name)
            if not (carried or stale or fails_fresh or fails_used):
                problems.append(Problem(True, trial=trial.name, visibility="probe"))
                continue
            parts, codes = [], []
            if carried:
                codes.append(dx.ACCUMULATED_ACROSS_CALLS)
                parts.append(f"after {self.story}, {_join(carried)} {'equals' if len(carried) == 1 else 'equal'} "
                             f"the sum of both calls' results: the earlier call's value carried over")
            if stale:
                codes.append(dx.STALE_CACHE)
                parts.append(f"after {self.story}, {_join(stale)} {'differs' if len(stale) == 1 else 'differ'} "
                             f"from the same call on a fresh object: the result depends on an earlier call")
            for name, e in fails_fresh:
                codes.append(dx.STALE_CACHE)
                parts.append(f"{name}: the call works on an object used before but on a fresh object it raised "
                             f"{e.headline() or e.kind}: it relies on what an earlier call left on the object "
                             f"instead of its own arguments")
            for name, e in fails_used:
                codes.append(dx.STALE_CACHE)
                parts.append(f"{name}: the call works on a fresh object but raised {e.headline() or e.kind} on an "
                             f"object used before with other inputs")
            hint = "" if codes == [dx.ACCUMULATED_ACROSS_CALLS] else STALE_STATE_HINT
            problems.append(Problem(False, tuple(dict.fromkeys(codes)), "; ".join(parts), trial.name, "probe",
                                    max_rel_error=worst, hint=hint, specific=True))
        if not problems:
            return self._result([Problem(False, (dx.WRONG_VALUE,), "no trial to check")], ctx=ctx)
        return self._result(problems, ctx=ctx)

    @staticmethod
    def _label(ctx: CheckContext, trial: Trial, key: str) -> str:
        """How a message names output `key`: an attribute by its name (dW1), a call as the student wrote it."""
        step = trial.step(f"{key}_2")
        if step is None:
            return key
        if step.op == "attr":
            return step.name
        return ctx.describe(trial, f"{key}_2")


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


#: The earlier name of SequenceCheck (a second forward/backward starts from zero), kept for exercise files.
SecondCallCheck = SequenceCheck


@dataclass(frozen=True)
class AccuracyCheck(Check):
    """A trained weight column must classify the parent's held-out data well.

    The held-out data are private trial inputs ("_X_test", "_y_test") that
    never reach the worker; accuracy = mean(sign(X_test w) == y_test).
    """

    recipe: str = "train"
    output: str = "w"
    threshold: float = 0.95
    what: str = ""

    def evaluate(self, ctx: CheckContext) -> CheckResult:
        problems = []
        for trial in ctx.trials_for(self.recipe):
            outcome = ctx.outcome(trial, self.output)
            if ctx.blocking_error(trial, self.output):
                problems.append(error_problem(ctx, trial, self.output))
                continue
            X, y = trial.inputs["_X_test"], trial.inputs["_y_test"]
            q = Quantity(Kind.COLUMN, "w", ("D", "1"))
            st = as_tensor(outcome.value, (X.shape[1], 1), q)
            if isinstance(st, Rejected):
                problems.append(Problem(False, st.codes, f"the returned w {st.words}", trial.name,
                                        trial.visibility, rank=2, expected_layout=q.expected_words((X.shape[1], 1)),
                                        given_layout=st.words, quantity=q))
                continue
            scores = X @ st.array
            pred = np.where(scores[:, 0] >= 0, 1.0, -1.0)
            acc = float(np.mean(pred == y))
            if acc >= self.threshold:
                problems.append(Problem(True, trial=trial.name, visibility=trial.visibility))
            else:
                problems.append(Problem(False, (dx.WRONG_VALUE,),
                                        f"the trained w classifies {acc:.1%} of the held-out examples correctly; "
                                        f"at least {self.threshold:.0%} is needed", trial.name, trial.visibility,
                                        rank=1))
        if not problems:
            return self._result([Problem(False, (dx.WRONG_VALUE,), "no trial to check")], ctx=ctx)
        return self._result(problems, _counts(problems), subject=self.what, ctx=ctx)
