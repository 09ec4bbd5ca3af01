"""Scripts: the declarative calls a check makes on a submission.

A script is a tuple of steps. Each step names its result (`out`) and is one of:

    new(out, cls, *args)                  obj = module.cls(*args)        (out is a handle)
    call(out, handle, method, *args, **kw) value = obj.method(*args, **kw)
    attr(out, handle, name)               value = obj.name
    func(out, fname, *args, **kw)         value = module.fname(*args, **kw)
    pick(out, src, i)                     value = item i of the tuple step `src` returned (kept with `hold`)
    snapshot(out)                         every input array as it is now (evidence for the mutation check)

Arguments are `In("x")` (an input the parent generated, sent as an array or a
plain number) or `Lit(value)` (a literal number, bool or None). Every input
comes from the parent. The one exception is `Held(out, i)`: item i of the
tuple an earlier step returned, kept in the worker because the step was made
with `hold=(i,)` (a function pair's opaque `cache`, as in
`out, cache = affine_forward(x, w, b)`; `affine_backward(dout, cache)`). A
held item is the student's own object handed back to the student's own code;
it never leaves the worker, and the parent sees None in its place.

The same script runs in two places: in the untrusted worker against the
student's module, and in the parent against the trusted reference module
(`run_local`). Both report results as value trees (see `grader.isolation.protocol`).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field, replace
from typing import Mapping, Union

import numpy as np

from grader.isolation import protocol

Scalar = Union[float, int, bool, None]


@dataclass(frozen=True)
class In:
    """An argument taken from the trial's inputs by name."""

    name: str


@dataclass(frozen=True)
class Lit:
    """A literal argument: a number, a bool or None."""

    value: Scalar


@dataclass(frozen=True)
class Held:
    """An argument that is item `item` of an earlier step's tuple result, kept in the worker (see `hold`)."""

    out: str
    item: int


Arg = Union[In, Lit, Held]


@dataclass(frozen=True)
class Step:
    """One call in a script; see the module docstring for the five kinds."""

    op: str
    out: str
    target: str = ""
    name: str = ""
    args: tuple[Arg, ...] = ()
    kwargs: tuple[tuple[str, Arg], ...] = ()
    #: False: the call must run, but its value is not needed; only its type and shape travel back.
    keep: bool = True
    #: Items of a tuple result that stay in the worker (as `Held(out, i)` arguments of later steps);
    #: the value that travels back has None in their place.
    hold: tuple[int, ...] = ()

    def describe(self) -> str:
        """The call in the student's terms, e.g. `Linear.backward(dz)`."""
        inner = ", ".join([_arg_text(a) for a in self.args] + [f"{k}={_arg_text(v)}" for k, v in self.kwargs])
        if self.op == "new":
            return f"{self.target}({inner})"
        if self.op == "call":
            return f"{self.target}.{self.name}({inner})"
        if self.op == "attr":
            return f"{self.target}.{self.name}"
        if self.op == "pick":
            return f"item {self.name} of {self.target}"
        if self.op == "func":
            return f"{self.target}({inner})"
        return "(snapshot of the inputs)"

    def to_json(self) -> dict:
        return {
            "op": self.op, "out": self.out, "target": self.target, "name": self.name,
            "args": [_arg_json(a) for a in self.args],
            "kwargs": [[k, _arg_json(v)] for k, v in self.kwargs],
            "keep": self.keep,
            "hold": list(self.hold),
        }


#: A suffix that keeps copies of one input apart in a recipe (X_a, dO_b, X_c, p_in): never shown to students.
_COPY_SUFFIX = re.compile(r"_(?:[a-z]|[0-9]+|in)$")


def _arg_text(a: Arg) -> str:
    """An argument as the student would name it: `dO` for the recipe's inputs dO_a and dO_b."""
    if isinstance(a, Held):
        return "cache"
    return _COPY_SUFFIX.sub("", a.name) if isinstance(a, In) else repr(a.value)


def _arg_json(a: Arg) -> dict:
    if isinstance(a, In):
        return {"in": a.name}
    if isinstance(a, Held):
        return {"held": [a.out, a.item]}
    return {"lit": a.value}


def _args(values: tuple) -> tuple[Arg, ...]:
    return tuple(v if isinstance(v, (In, Lit, Held)) else Lit(v) for v in values)


def _kwargs(values: dict) -> tuple[tuple[str, Arg], ...]:
    return tuple((k, v if isinstance(v, (In, Lit, Held)) else Lit(v)) for k, v in values.items())


def new(out: str, cls: str, *args: Arg | Scalar) -> Step:
    """Construct `cls(*args)` from the submission and keep it as handle `out`."""
    return Step("new", out, cls, "", _args(args))


def call(out: str, handle: str, method: str, *args: Arg | Scalar, **kwargs: Arg | Scalar) -> Step:
    """Call `handle.method(*args, **kwargs)` and record the result as `out`."""
    return Step("call", out, handle, method, _args(args), _kwargs(kwargs))


def run_only(step: Step) -> Step:
    """The same step, but its value is not sent back (only whether it ran)."""
    return replace(step, keep=False)


def attr(out: str, handle: str, name: str) -> Step:
    """Read attribute `handle.name` and record it as `out`."""
    return Step("attr", out, handle, name)


def func(out: str, fname: str, *args: Arg | Scalar, hold: tuple[int, ...] = (), **kwargs: Arg | Scalar) -> Step:
    """Call the module-level function `fname(*args, **kwargs)`.

    hold: items of the returned tuple kept in the worker for later `Held(out, i)` arguments and `pick`
    steps; None travels back in their place.
    """
    return Step("func", out, fname, "", _args(args), _kwargs(kwargs), hold=tuple(hold))


def pick(out: str, src: str, item: int) -> Step:
    """Item `item` of the tuple that step `src` returned (src must `hold` it), as its own result `out`."""
    return Step("pick", out, src, str(int(item)))


def snapshot(out: str) -> Step:
    """Record every input array as it is now: the parent compares them with its own copies."""
    return Step("snapshot", out)


def step_from_json(node: dict) -> Step:
    """Inverse of Step.to_json (used by the worker on the parent's requests)."""
    def arg(a: dict) -> Arg:
        if "in" in a:
            return In(a["in"])
        if "held" in a:
            return Held(str(a["held"][0]), int(a["held"][1]))
        return Lit(a["lit"])
    return Step(node["op"], node["out"], node.get("target", ""), node.get("name", ""),
                tuple(arg(a) for a in node.get("args", [])),
                tuple((k, arg(v)) for k, v in node.get("kwargs", [])), bool(node.get("keep", True)),
                tuple(int(i) for i in node.get("hold", [])))


# ---------------------------------------------------------------------------
# Inputs on the wire


def encode_inputs(inputs: Mapping[str, object], payload: protocol.PayloadBuilder, place=None) -> dict:
    """Encode trial inputs (float arrays and plain numbers) for the worker.

    place: None, or place(name, bytes) -> offset, which puts an array's bytes
    in the memory shared with the worker instead of the frame's payload
    (the node then says "shared": true).
    """
    out = {}
    for name, value in inputs.items():
        if isinstance(value, np.ndarray):
            if place is None:
                out[name] = {"t": "nd", **protocol._encode_array_fields(value, payload)}
            else:
                wire = protocol._wire_array(value)
                data = memoryview(wire.reshape(-1).view(np.uint8))
                out[name] = {"t": "nd", "shared": True, "dtype": protocol._dtype_str(wire),
                             "shape": list(wire.shape), "off": place(name, data), "len": len(data)}
        elif value is None or type(value) in (bool, int, float):
            out[name] = {"t": "lit", "value": value}
        else:
            raise TypeError(f"input {name!r} must be an ndarray or a plain number")
    return out


def decode_inputs(node: dict, payload: bytes, shared=None) -> dict[str, object]:
    """Worker side of encode_inputs: fresh writable arrays (views of `shared` memory where so placed)."""
    out: dict[str, object] = {}
    for name, item in node.items():
        if item["t"] == "nd":
            source = shared if item.get("shared") and shared is not None else payload
            out[name] = protocol.decode_array_fields(item, source, writable=True)
        else:
            out[name] = item["value"]
    return out


# ---------------------------------------------------------------------------
# Execution (shared by the worker and the in-process reference runner)


class StepFailure(Exception):
    """A step could not run for a reason that is not the callee's exception."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class Executor:
    """Runs steps against one module, keeping handles and inputs between steps."""

    module: object
    inputs: dict[str, object]
    handles: dict[str, object] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def resolve(self, a: Arg) -> object:
        if isinstance(a, In):
            return self.inputs[a.name]
        if isinstance(a, Held):
            key = f"{a.out}#{a.item}"
            if key not in self.handles:
                raise StepFailure("skipped", self.failed.get(key, f"item {a.item} of {a.out} was not kept"))
            return self.handles[key]
        return a.value

    def lookup(self, owner: object, name: str) -> object:
        try:
            return getattr(owner, name)
        except AttributeError:
            raise StepFailure("missing", _suggest(owner, name)) from None

    def run(self, step: Step) -> object:
        """Run one step and return its raw Python result (raises on failure)."""
        if step.op == "snapshot":
            return tuple(v for v in self.inputs.values() if isinstance(v, np.ndarray))
        if step.op == "pick":
            return self.resolve(Held(step.target, int(step.name)))
        if step.op in ("call", "attr"):
            if step.target in self.failed:
                raise StepFailure("skipped", self.failed[step.target])
            obj = self.handles[step.target]
            if step.op == "attr":
                return self.lookup(obj, step.name)
            method = self.lookup(obj, step.name)
            return method(*[self.resolve(a) for a in step.args],
                          **{k: self.resolve(v) for k, v in step.kwargs})
        target = self.lookup(self.module, step.target)
        result = target(*[self.resolve(a) for a in step.args], **{k: self.resolve(v) for k, v in step.kwargs})
        if step.op == "new":
            self.handles[step.out] = result
            return None
        if step.hold:
            return self._hold(step, result)
        return result

    def _hold(self, step: Step, result: object) -> object:
        """Keep the held items of a tuple result here; what travels back has None in their place."""
        if type(result) not in (tuple, list) or len(result) <= max(step.hold):
            for i in step.hold:
                self.failed[f"{step.out}#{i}"] = (f"{step.describe()} must return a tuple of at least "
                                                  f"{max(step.hold) + 1} items (for example (out, cache))")
            return result
        items = list(result)
        for i, item in enumerate(items):
            self.handles[f"{step.out}#{i}"] = item
        for i in step.hold:
            items[i] = None
        return tuple(items)

    def mark_failed(self, step: Step, reason: str) -> None:
        if step.op == "new":
            self.failed[step.out] = reason
        for i in step.hold:
            self.failed[f"{step.out}#{i}"] = reason


def _suggest(owner: object, name: str) -> str:
    """'did you mean `x`?' for a close existing name, or ''."""
    import difflib

    try:
        names = [n for n in dir(owner) if not n.startswith("__")]
    except Exception:  # noqa: BLE001 - a hostile __dir__
        return ""
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if not close:
        lowered = [n for n in names if n.lower() == name.lower()]
        close = lowered[:1]
    return f"did you mean `{close[0]}`?" if close else ""


def run_local(module: object, steps: tuple[Step, ...], inputs: Mapping[str, object]) -> list[dict]:
    """Run a script against a trusted module in this process.

    Returns one decoded value tree per step, exactly as if the results had
    crossed the wire. Any exception propagates: the reference must not fail.
    """
    ex = Executor(module, {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in inputs.items()})
    trees = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for step in steps:
            payload = protocol.PayloadBuilder()
            tree = protocol.encode_value(ex.run(step), payload)
            trees.append(protocol.decode_tree(tree, payload.bytes()))
    return trees
