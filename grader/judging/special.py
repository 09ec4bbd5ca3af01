"""Special checks: a plain function that calls the student's API, like a pytest test, recorded as steps.

    @special(points=1)
    def shift_invariance(student, case):
        '''Adding the same number to every logit of a row leaves the loss unchanged.'''
        loss, _ = student.softmax_ce_forward(case["logits"], case["y"])
        shifted, _ = student.softmax_ce_forward(case["logits"] + 7.5, case["y"])
        student.expect_close(shifted, loss)

`student` records calls instead of making them: `student.f(...)` is a module
function, `student.Cls(...)` builds an object whose methods and attributes
are recorded the same way. What a call returns is a placeholder for the
student's result; it can be unpacked (`loss, cache = ...`), passed back to
the student's code (a cache), and compared with `student.expect_close(a, b)`,
`student.expect_equal(a, b)` or `student.expect_finite(a)`, where either side
may also be an array the function computed from `case` (the trial's inputs,
generated in the parent). Nothing else can be done with a placeholder: the
parent never computes with the student's results beyond comparing them.

The function runs in the trusted parent only: once when the exercise is
declared (to record the calls and comparisons, on inputs of the public sizes)
and once per trial (to record the arrays it passes, which become the trial's
inputs). Its calls must not depend on the input values. The worker then runs
the recorded steps like any recipe, and `SpecialCheck` compares the results
in the parent, with the tolerance of the lowest precision the student used.
The check's id is `<exercise>.<function name>`; its title the docstring's
first line unless `title` is given.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Mapping

import numpy as np

from grader.judging import diagnosis as dx
from grader.judging.checks import Check, CheckContext, Problem, error_problem
from grader.judging.compare import compare, effective_precision, rtol_for
from grader.errors import CourseError
from grader.outputs.results import CheckResult
from grader.isolation.script import Held, In, Lit, Step, call, func, new, pick, run_only
from grader.judging.values import shape_text


@dataclass(frozen=True)
class Special:
    """A special check as declared: the function, its points and its title."""

    fn: Callable
    points: float = 1.0
    title: str = ""
    #: The diagnosis code a failed comparison names (e.g. "stale_cache"); "wrong_value" when not given.
    diagnosis: str = ""

    @property
    def name(self) -> str:
        return self.fn.__name__


def special(fn: Callable | None = None, *, points: float = 1.0, title: str = "", diagnosis: str = ""):
    """Declare a special check (see the module docstring); usable as `@special` or `@special(points=2)`.

    diagnosis: the code (`grader.judging.diagnosis.ALL_CODES`) a failed comparison names, e.g. "stale_cache".
    """
    if diagnosis and diagnosis not in dx.ALL_CODES:
        raise CourseError(f"@special(diagnosis={diagnosis!r}): not a diagnosis code; known: {', '.join(dx.ALL_CODES)}")

    def wrap(f: Callable) -> Special:
        return Special(f, float(points), title, diagnosis)
    return wrap(fn) if fn is not None else wrap


class ResultMisuse(CourseError):
    """A special check used a student's result for something other than a comparison or a call."""


class Placeholder:
    """The student's result of a recorded call (never a value in the parent)."""

    def __init__(self, recorder: "Recorder", out: str, items: int = 0, held: tuple[str, int] | None = None):
        self._recorder, self._out, self._items, self._held = recorder, out, items, held

    def __iter__(self):
        if not self._items:
            raise ResultMisuse(f"a special check unpacks the result of {self._out}, which the reference's docstring "
                               f"does not declare as a tuple (`returns (a, b)`)")
        return iter(self._recorder.items_of(self))

    def _refuse(self, *_args, **_kw):
        raise ResultMisuse("a special check can only compare the student's results (student.expect_close, "
                           "expect_equal, expect_finite) or pass them back to the student's code, never compute "
                           "with them")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _refuse
    __getitem__ = __array__ = __float__ = __bool__ = __lt__ = __gt__ = __le__ = __ge__ = __neg__ = _refuse


class _Object:
    """A recorded object of the student's class: method calls and attribute reads become steps."""

    def __init__(self, recorder: "Recorder", handle: str, methods: Mapping):
        self._recorder, self._handle, self._methods = recorder, handle, methods

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._methods:
            def method(*args, **kwargs):
                m = self._methods[name]
                return self._recorder.record(call, (self._handle, name), args, kwargs, len(m.returns), m.params)
            return method
        return self._recorder.read(self._handle, name)


class Recorder:
    """What a special function is given as `student`: records steps, argument arrays and comparisons."""

    def __init__(self, interface, prefix: str):
        self._iface, self._prefix = interface, prefix
        self.steps: list[Step] = []
        self.inputs: dict[str, object] = {}
        self.comparisons: list[tuple] = []
        self._n = 0

    def _name(self, kind: str) -> str:
        self._n += 1
        return f"{self._prefix}{kind}{self._n}"

    def _arg(self, value, param: str = "arg"):
        if isinstance(value, Placeholder):
            if value._held is None:
                raise ResultMisuse("a special check passes a student's result back to the student's code; only an "
                                   "item of a returned tuple (a cache) can be passed back")
            return Held(*value._held)
        if isinstance(value, (bool, int, float)) or value is None:
            return Lit(value)
        if isinstance(value, (np.ndarray, np.generic)):
            self._n += 1
            name = f"{param}_{self._n}"      # shown to students as `param` (grader.isolation.script drops the suffix)
            self.inputs[name] = np.array(value, copy=True)
            return In(name)
        raise CourseError(f"a special check passes {type(value).__name__} to the student's code; pass arrays and "
                          f"plain numbers")

    def record(self, maker, head: tuple, args, kwargs, returns: int, params: tuple = ()) -> Placeholder:
        out = self._name("r")
        names = list(params) + ["arg"] * len(args)
        step = maker(out, *head, *[self._arg(a, n) for a, n in zip(args, names)],
                     **{k: self._arg(v, k) for k, v in kwargs.items()})
        if returns > 1:
            step = Step(step.op, step.out, step.target, step.name, step.args, step.kwargs, hold=tuple(range(returns)))
        self.steps.append(step)
        return Placeholder(self, out, returns if returns > 1 else 0)

    def items_of(self, p: Placeholder) -> list[Placeholder]:
        items = []
        for i in range(p._items):
            out = f"{p._out}_{i}"
            # Not sent back unless compared (`_side`): an unpacked cache stays in the worker.
            self.steps.append(run_only(pick(out, p._out, i)))
            items.append(Placeholder(self, out, held=(p._out, i)))
        return items

    def read(self, handle: str, name: str) -> Placeholder:
        from grader.isolation.script import attr

        out = self._name("r")
        self.steps.append(attr(out, handle, name))
        return Placeholder(self, out)

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        iface = self._iface
        if name in iface.classes:
            def build(*args):
                handle = self._name("o")
                init = iface.classes[name].get("__init__")
                params = list(init.params) if init else []
                names = params + ["arg"] * len(args)
                self.steps.append(new(handle, name, *[self._arg(a, n) for a, n in zip(args, names)]))
                return _Object(self, handle, iface.classes[name])
            return build
        if name in iface.functions:
            def function(*args, **kwargs):
                f = iface.functions[name]
                return self.record(func, (name,), args, kwargs, len(f.returns), f.params)
            return function
        raise CourseError(f"a special check calls student.{name}, which the reference does not define")

    def _side(self, value):
        if isinstance(value, Placeholder):
            self.steps = [replace(st, keep=True) if st.out == value._out else st for st in self.steps]
            return ("out", value._out)
        name = self._name("_c")
        self.inputs[name] = np.asarray(value, dtype=np.float64)
        return ("const", name)

    def expect_close(self, a, b, *, rtol: float | None = None) -> None:
        """The two agree to the tolerance of the precision the student used (or `rtol`)."""
        self.comparisons.append(("close", self._side(a), self._side(b), rtol))

    def expect_equal(self, a, b) -> None:
        """The two are equal, bit for bit."""
        self.comparisons.append(("equal", self._side(a), self._side(b), 0.0))

    def expect_finite(self, a) -> None:
        """Every entry is finite."""
        self.comparisons.append(("finite", self._side(a), None, None))


def record(spec: Special, interface, case: Mapping[str, object]) -> Recorder:
    """Run the special function on one case with a recorder (trusted staff code, in the parent)."""
    rec = Recorder(interface, "")
    try:
        spec.fn(rec, dict(case))
    except CourseError:
        raise
    except Exception as exc:  # noqa: BLE001 - staff code: one line
        raise CourseError(f"the special check {spec.name} failed while recording its calls: "
                          f"{type(exc).__name__}: {exc}") from None
    return rec


def _as_array(value):
    """A student's result as a float64 array, or the reason it is not one."""
    if value is None or value.array is None or value.kind not in ("array", "scalar"):
        return None, f"returned {value.describe() if value is not None else 'nothing'}, not a float array or number"
    arr = value.array
    if arr.dtype.kind != "f":
        return None, f"returned an array of dtype {arr.dtype.name}, not floats"
    return arr, ""


@dataclass(frozen=True)
class SpecialCheck(Check):
    """Compares what a recorded special function's calls returned (see the module docstring)."""

    recipe: str = ""
    comparisons: tuple = ()
    diagnosis: str = ""

    def evaluate(self, ctx: CheckContext) -> CheckResult:
        problems: list[Problem] = []
        for trial in ctx.trials_for(self.recipe):
            problems.append(self._judge(ctx, trial))
        if not problems:
            return CheckResult(self.id, self.title, False, 0.0, float(self.points), (dx.WRONG_VALUE,),
                               "no case could be checked")
        return self._result(problems, ctx=ctx)

    def _judge(self, ctx: CheckContext, trial) -> Problem:
        base = dict(trial=trial.name, visibility=trial.visibility)
        for kind, left, right, rtol in self.comparisons:
            sides, precisions = [], []
            for side in (left, right):
                if side is None:
                    continue
                if side[0] == "const":
                    sides.append(np.asarray(trial.inputs[side[1]], dtype=np.float64))
                    continue
                if ctx.blocking_error(trial, side[1]):
                    return error_problem(ctx, trial, side[1])
                arr, why = _as_array(ctx.outcome(trial, side[1]).value)
                if arr is None:
                    return Problem(False, (dx.WRONG_TYPE,), f"{ctx.describe(trial, side[1])} {why}", rank=2, **base)
                precisions.append(effective_precision(arr))
                sides.append(arr.astype(np.float64))
            if kind == "finite":
                if not np.all(np.isfinite(sides[0])):
                    return Problem(False, (dx.NON_FINITE,), f"{self._calls(ctx, trial, left, None)} is not finite",
                                   rank=1, **base)
                continue
            a, b = np.asarray(sides[0]), np.asarray(sides[1])
            if a.size == 1 and b.size == 1:
                a, b = a.reshape(()), b.reshape(())
            if a.shape != b.shape:
                return Problem(False, (dx.WRONG_SHAPE,), f"{self._calls(ctx, trial, left, right)} have the shapes "
                               f"{shape_text(a.shape)} and {shape_text(b.shape)}, where they must agree", rank=2, **base)
            if kind == "equal":
                if not np.array_equal(a, b):
                    return Problem(False, (self.diagnosis or dx.WRONG_VALUE,),
                                   f"{self._calls(ctx, trial, left, right)} differ, where they must be equal", rank=1,
                                   **base)
                continue
            calls = self._calls(ctx, trial, left, right)
            precision = "f32" if "f32" in precisions else ctx.trial_precision(trial)
            tol = rtol if rtol is not None else rtol_for("exact", precision)
            if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
                return Problem(False, (dx.NON_FINITE,), f"{self._calls(ctx, trial, left, right)}: a result is not "
                               f"finite", rank=1, **base)
            cmp = compare(a, b, rtol=tol)
            if not cmp.passed:
                return Problem(False, (self.diagnosis or dx.WRONG_VALUE,), f"{calls} differ, where they must agree "
                               f"(relative error {cmp.max_rel_error:.1e})", rank=1, max_rel_error=cmp.max_rel_error,
                               **base)
        return Problem(True, **base)

    @staticmethod
    def _calls(ctx: CheckContext, trial, *sides) -> str:
        """The compared results in the student's terms: `f(x)[0] and f(x)[0]`, or `the expected value`."""
        return " and ".join(ctx.describe(trial, side[1]) if side[0] == "out" else "the expected value"
                            for side in sides if side is not None)
