"""Declaring an exercise in a few lines: everything the reference already says is read from it.

An exercise declaration (exercises/<id>/checks.py) for a layer class:

    from grader.authoring.declare import layer

    EXERCISE = layer("sigmoid", "Sigmoid", convention="column", title="Sigmoid layer",
                     public=[{"n": 4}], hidden=[{"n": 3}, {"n": 7}],
                     points={"forward": 2, "backward.dz": 3})

and for a function pair (`<stem>_forward(...) -> (out, cache)`,
`<stem>_backward(dout, cache) -> grads`):

    from grader.authoring.declare import functions, labels

    EXERCISE = functions("softmax_ce", convention="batch", inputs={"y": labels("C")},
                         public=[{"N": 5, "C": 4}], hidden=[{"N": 3, "C": 6}], extreme={"logits": 1000.0})

What is read from the reference (reference/<file>, or the generated stub in
student_template/<file> when the reference is absent, as in a handout; both
carry the same signatures and docstrings, and are read with `ast`, never run):

- the calls: the constructor's parameters, `forward`'s arguments, `backward`'s
  upstream, the attributes `backward` sets (`self.dW`), other public methods
  (called after `backward` with inputs of the same names), or the function
  pair and which of its results is the opaque cache;
- each argument's and result's shape, as named dimensions, from docstring
  entries of the form `name: [symbol] (dim, dim)` ("x: (in, 1) column",
  "dz: ∇_z L (1, out) row", "returns z = W x + b: (out, 1)",
  "self.dW = ∇_W L: (out, in)", "returns (loss, cache)", "loss: a scalar");
- which result is the gradient of which input: `dx`, `dLdx` or `∇_x L` is
  the gradient of `x` (the numerical gradient checks of student mode pair
  them with the forward);
- the checks: `<id>.forward` (one per forward result), `<id>.backward.<dname>`
  per gradient, `<id>.<method>` per other method, `<id>.stability` when
  `extreme` is given, and the hygiene checks: inputs not modified,
  determinism, and for a class the same results from a used object as from a
  fresh one. Every check is worth 1 point unless `points` says otherwise
  (keys are the check ids without the exercise prefix).

Conventions (`grader.judging.convention`) decide each result's kind: in `column` a
result (n, 1) is a column, the gradient of a column is a row and the
gradient of a matrix has its shape; in `batch` (rows are examples) a result
whose first dimension is N holds one row per example and every gradient has
its variable's shape.

Anything special is plain Python: `inputs={name: generator}` with
`generator(rng, shape, sizes) -> array` (`labels`, `away_from_zero` are two), and the
`Exercise` fields for what no inference covers (`mutants`, `decompositions`,
`alternatives`, extra `checks` and `recipes`) pass through unchanged.
"""

from __future__ import annotations

import ast
import difflib
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from grader.judging import diagnosis as dx
from grader.judging.checks import DeterminismCheck, MutationCheck, SequenceCheck, Target, ValueCheck
from grader.judging.convention import Kind, Quantity
from grader.errors import CourseError
from grader.isolation.script import Held, In, attr, call, func, new, pick
from grader.authoring.spec import Exercise, NumericSpec
from grader.judging.trial import TrialPlan

Dims = tuple[str, ...]


class DeclarationError(CourseError):
    """A declaration that cannot be read: the message starts with `file:line:` and names what to fix."""


@dataclass(frozen=True)
class _Site:
    """Where a declaration is (its checks.py and the line of the call), for one-line error messages."""

    path: Path
    line: int
    root: Path

    def rel(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path.name

    def fail(self, message: str, *needles: str, path: Path | None = None, line: int | None = None):
        """Raise a DeclarationError at `path:line`, or at the first line of checks.py holding a needle."""
        path = path or self.path
        if line is None:
            line = self.line
            try:
                lines = self.path.read_text(encoding="utf-8").splitlines()
            except OSError:
                lines = []
            for needle in needles:
                hit = next((k for k, text in enumerate(lines, 1) if needle in text), None)
                if hit is not None:
                    line = hit
                    break
        raise DeclarationError(f"{self.rel(path)}:{line}: {message}")


def _site(depth: int) -> _Site:
    frame = sys._getframe(depth)
    path = Path(frame.f_globals.get("__file__", "checks.py")).resolve()
    return _Site(path, frame.f_lineno, path.parent.parent.parent)
Generator = Callable[[np.random.Generator, tuple, Mapping[str, int]], object]


# ---------------------------------------------------------------------------
# Reading the reference


@dataclass(frozen=True)
class Entry:
    """One docstring entry: a name, its symbol or formula, and its shape in named dimensions.

    dims is None for an entry without a shape (an opaque cache); () for a scalar.
    """

    name: str
    symbol: str = ""
    dims: Dims | None = None


@dataclass(frozen=True)
class Callable_:
    """A function or method of the reference: its parameters and what its docstring declares."""

    name: str
    params: tuple[str, ...]
    entries: tuple[Entry, ...]
    returns: tuple[str, ...]          # the returned names, in order (one name, or a tuple's names)
    line: int

    def entry(self, name: str) -> Entry | None:
        return next((e for e in self.entries if e.name == name), None)


@dataclass(frozen=True)
class Interface:
    """What a reference file declares: classes with their methods, and module-level functions."""

    path: Path
    classes: Mapping[str, Mapping[str, Callable_]]
    class_entries: Mapping[str, tuple[Entry, ...]]
    functions: Mapping[str, Callable_]


_NAME = r"self\.\w+|∇_\w+\s*L|∂\w+/∂\w+|[A-Za-z_]\w*"
_ENTRY = re.compile(
    rf"(?P<ret>(?i:returns?)\s+)?(?P<name>{_NAME})\s*(?:=\s*(?P<expr>[^:;]*?))?\s*:\s*"
    r"(?P<desc>[^;:\n(]*?)\s*\((?P<dims>[^()]*)\)")
_SCALAR = re.compile(rf"(?P<ret>(?i:returns?)\s+)?(?P<name>{_NAME})\s*(?:=\s*(?P<expr>[^:;]*?))?\s*:"
                     r"\s*(?P<desc>[^;:\n(]*?)\bscalar\b")
_TUPLE = re.compile(r"(?i:returns?)\s*\((?P<names>[A-Za-z_][\w\s,]*)\)")
_RETURN = re.compile(rf"(?i:returns?)\s+(?P<name>{_NAME})")


def _dims(text: str) -> Dims:
    return tuple(d.strip() for d in text.split(",") if d.strip())


def parse_docstring(doc: str) -> tuple[tuple[Entry, ...], tuple[str, ...]]:
    """The entries of a docstring and the names it says are returned (see the module docstring)."""
    text = " ".join(line.strip() for line in (doc or "").splitlines())
    entries: dict[str, Entry] = {}
    for m in _ENTRY.finditer(text):
        symbol = (m["expr"] or m["desc"] or "").strip()
        entries.setdefault(m["name"], Entry(m["name"], symbol, _dims(m["dims"])))
    for m in _SCALAR.finditer(text):
        desc = re.sub(r"(?:,\s*)?\ban?\s*$", "", (m["desc"] or "").strip()).strip(" ,")
        entries.setdefault(m["name"], Entry(m["name"], (m["expr"] or desc).strip(), ()))
    returns: tuple[str, ...] = ()
    t = _TUPLE.search(text)
    if t:
        returns = tuple(n.strip() for n in t["names"].split(",") if n.strip())
        for n in returns:
            entries.setdefault(n, Entry(n))
    else:
        r = _RETURN.search(text)
        if r:
            returns = (r["name"],)
    return tuple(entries.values()), returns


def _callable(node: ast.FunctionDef, skip_self: bool) -> Callable_:
    params = [a.arg for a in node.args.args]
    if skip_self and params:
        params = params[1:]
    entries, returns = parse_docstring(ast.get_docstring(node) or "")
    named = {e.name for e in entries}
    if not any(r in named for r in returns):
        # "Returns the Jacobian ∂z/∂x: (out, in)": the result is the last entry that is not a parameter.
        results = [e.name for e in entries if e.name not in params and not e.name.startswith("self.")]
        returns = tuple(results[-1:])
    return Callable_(node.name, tuple(params), entries, returns, node.lineno)


def read_interface(path: Path) -> Interface:
    """Parse a reference (or stub) file with `ast`: classes, methods, functions and their docstrings."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError) as exc:
        raise DeclarationError(f"{path.name}: cannot read it to infer the exercise: {exc}") from None
    classes: dict[str, dict[str, Callable_]] = {}
    class_entries: dict[str, tuple[Entry, ...]] = {}
    functions: dict[str, Callable_] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {c.name: _callable(c, True) for c in node.body if isinstance(c, ast.FunctionDef)}
            class_entries[node.name] = parse_docstring(ast.get_docstring(node) or "")[0]
        elif isinstance(node, ast.FunctionDef):
            functions[node.name] = _callable(node, False)
    return Interface(path, classes, class_entries, functions)


def _source_file(site: _Site, file: str) -> Path:
    """reference/<file> of the declaration's course, else the stub in student_template/ (as in a handout)."""
    for folder in ("reference", "student_template"):
        path = site.root / folder / file
        if path.is_file():
            return path
    site.fail(f"neither reference/{file} nor student_template/{file} exists: the exercise is declared from it",
              file)


# ---------------------------------------------------------------------------
# Input generators: generator(rng, shape, sizes) -> array, where sizes maps every named dimension to its size


def labels(classes: str) -> Generator:
    """Integer class labels in [0, classes), e.g. labels("C") for y (N,) with C classes."""
    return lambda rng, shape, sizes: rng.integers(0, sizes[classes], size=shape).astype(np.int64)


def away_from_zero(margin: float = 0.05) -> Generator:
    """Entries of both signs with |value| ≥ margin: keeps finite differences off a kink at 0."""
    def gen(rng, shape, sizes):
        mag = margin + np.abs(rng.standard_normal(shape))
        return mag * np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return gen


# ---------------------------------------------------------------------------
# The plan of an exercise, inferred


@dataclass(frozen=True)
class _Output:
    """One checked result: its check id suffix, step output, quantity, label, the call, and the check's title."""

    suffix: str
    out: str
    quantity: Quantity
    label: str
    what: str
    title: str


@dataclass
class _Plan:
    """What the inference found: the main recipe, its inputs' shapes, the checked outputs, the gradient pairs."""

    convention: object                                         # grader.judging.convention.Convention
    inputs: dict[str, Dims] = field(default_factory=dict)
    main: list = field(default_factory=list)
    forward: list = field(default_factory=list)                # the steps up to the forward's result
    outputs: list[_Output] = field(default_factory=list)
    upstream: str | None = None
    forward_out: str = ""

    @property
    def wrt(self) -> list[tuple[str, str]]:
        """(input, output holding its gradient), for finite differences of the forward."""
        return [(o.quantity.of, o.out) for o in self.outputs if o.quantity.of in self.inputs]


def _size(dims: Dims, sizes: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(int(d) if d.isdigit() else int(sizes[d]) for d in dims)


def _grad_var(name: str, symbol: str, variables: Sequence[str]) -> str | None:
    """The input a result is the gradient of: dx, dLdx, self.dW or ∇_x L."""
    bare = name.removeprefix("self.")
    for cand in (re.fullmatch(r"dLd(\w+)", bare), re.fullmatch(r"d(\w+)", bare),
                 re.fullmatch(r"∇_(\w+)\s*L", bare), re.fullmatch(r"∇_(\w+)\s*L", symbol or "")):
        if cand and cand.group(1) in variables:
            return cand.group(1)
    return None


def _kind(rules, dims: Dims, gradient_of: Dims | None, jacobian: bool) -> Kind:
    """The kind of a checked result under a convention's rules (`grader.judging.convention.Convention`)."""
    if dims == ():
        return Kind.SCALAR
    if jacobian:
        return Kind.JACOBIAN
    if rules.gradient_layout == "same":
        if gradient_of is not None:
            return Kind.GRADIENT
        return Kind.BATCH if dims and dims[0] == rules.batch_dim else Kind.MATRIX
    if gradient_of is not None:
        return Kind.ROW_GRADIENT if len(gradient_of) == 2 and gradient_of[1] == "1" else Kind.MATRIX_GRADIENT
    return Kind.COLUMN if len(dims) == 2 and dims[1] == "1" else Kind.MATRIX


def _quantity(rules, kind: Kind, symbol: str, dims: Dims, of: str = "") -> Quantity:
    return Quantity(kind, symbol, dims, of, convention=rules.name)


class _Reader:
    """Reads one reference file for a declaration; every problem is one line at the reference's def."""

    def __init__(self, site: _Site, iface: Interface):
        self.site, self.iface = site, iface

    def need(self, entry: Entry | None, what: str, fn: Callable_, owner: str = "") -> Entry:
        if entry is None or entry.dims is None:
            self.fail(f"the docstring of {owner + '.' if owner else ''}{fn.name} gives no shape for {what}: write "
                      f"`{what}: (dim, dim)` with named dimensions, or `{what}: a scalar`", fn.line)
        return entry

    def fail(self, message: str, line: int = 1):
        self.site.fail(message, path=self.iface.path, line=line)


def _gradient(plan: _Plan, e: Entry, variables: Sequence[str], label: str, what: str) -> _Output:
    """The check of a gradient result: dx, dLdx, self.dW or ∇_x L is the gradient of input x (step output dx).

    label: how the report names it ("" for the gradient's symbol).
    """
    var = _grad_var(e.name, e.symbol, variables) or ""
    symbol = e.symbol if e.symbol.startswith("∇") else (f"∇_{var} L" if var else e.name)
    q = _quantity(plan.convention, _kind(plan.convention, e.dims, plan.inputs.get(var) if var else None, False),
                  symbol, e.dims, var)
    name = f"d{var}" if var else e.name.removeprefix("self.")
    label = label or symbol
    title = f"backward: {label}" if symbol in label else f"backward: {label} = {symbol}"
    return _Output(f"backward.{name}", name, q, label, what, title)


def _layer_plan(read: _Reader, cls: str, convention: str) -> _Plan:
    iface = read.iface
    methods = iface.classes.get(cls)
    if methods is None:
        close = difflib.get_close_matches(cls, list(iface.classes), n=1)
        read.site.fail(f"{read.site.rel(iface.path)} has no class {cls!r}" + (f" (did you mean {close[0]!r}?)" if close else
                       f"; its classes: {', '.join(iface.classes) or 'none'}"), f'"{cls}"')
    for m in ("forward", "backward"):
        if m not in methods:
            read.fail(f"class {cls} has no method {m}(): a layer needs forward and backward",
                      min((c.line for c in methods.values()), default=1))
    fwd, bwd = methods["forward"], methods["backward"]
    init = methods.get("__init__")
    params = init.params if init else ()
    plan = _Plan(convention)
    known = {e.name: e for e in (*iface.class_entries.get(cls, ()), *(init.entries if init else ()))}
    for p in params:
        plan.inputs[p] = read.need(known.get(p), p, init, cls).dims
    for a in fwd.params:
        plan.inputs[a] = read.need(fwd.entry(a), a, fwd, cls).dims
    out_name = fwd.returns[0] if fwd.returns else "out"
    out = read.need(fwd.entry(out_name), out_name, fwd, cls)
    args = ", ".join(fwd.params)
    steps = [new("obj", cls, *[In(p) for p in params]), call(out_name, "obj", "forward", *[In(a) for a in fwd.params])]
    plan.forward, plan.forward_out = list(steps), out_name
    formula = f" = {out.symbol}" if out.symbol and not out.symbol.startswith("∇") else ""
    plan.outputs.append(_Output("forward", out_name, _quantity(convention, _kind(convention, out.dims, None, False),
                                                               out_name, out.dims), f"forward({args})", f"{cls}.forward({args})",
                                f"forward: {out_name}{formula}"))
    variables = list(params) + list(fwd.params)
    for u in bwd.params:
        plan.inputs[u] = read.need(bwd.entry(u), u, bwd, cls).dims
    plan.upstream = bwd.params[0] if bwd.params else None
    what = f"{cls}.backward({', '.join(bwd.params)})"
    back = call("back", "obj", "backward", *[In(u) for u in bwd.params])
    returned = [read.need(bwd.entry(r), r, bwd, cls) for r in bwd.returns]
    if len(returned) == 1:
        g = _gradient(plan, returned[0], variables, "the returned " + (returned[0].symbol or returned[0].name), what)
        steps.append(replace(back, out=g.out))
        plan.outputs.append(g)
    else:
        steps.append(replace(back, hold=tuple(range(len(returned)))))
        for i, e in enumerate(returned):
            g = _gradient(plan, e, variables, f"item {i} returned by backward", what)
            steps.append(pick(g.out, "back", i))
            plan.outputs.append(g)
    for e in bwd.entries:
        if e.name.startswith("self."):
            name = e.name.removeprefix("self.")
            steps.append(attr(name, "obj", name))
            plan.outputs.append(replace(_gradient(plan, e, variables, e.name, what), suffix=f"backward.{name}",
                                        out=name))
    for mname, m in methods.items():
        if mname.startswith("_") or mname in ("forward", "backward"):
            continue
        for a in m.params:
            plan.inputs.setdefault(a, read.need(m.entry(a), a, m, cls).dims)
        ret = m.returns[0] if m.returns else mname
        e = read.need(m.entry(ret), ret, m, cls)
        steps.append(call(mname, "obj", mname, *[In(a) for a in m.params]))
        symbol = next((t for t in (e.symbol, ret) if t.startswith("∂")), f"{mname}()")
        jac = mname == "jacobian" or symbol.startswith("∂")
        margs = ", ".join(m.params)
        plan.outputs.append(_Output(mname, mname, _quantity(convention, _kind(convention, e.dims, None, jac), symbol, e.dims),
                                    f"{mname}({margs})", f"{cls}.{mname}({margs})", f"{mname}(): {symbol}"))
    plan.main = steps
    return plan


def _pair_plan(read: _Reader, fwd_name: str, bwd_name: str, convention: str) -> _Plan:
    iface = read.iface
    for n in (fwd_name, bwd_name):
        if n not in iface.functions:
            close = difflib.get_close_matches(n, list(iface.functions), n=1)
            read.site.fail(f"{read.site.rel(iface.path)} has no function {n}()" + (f" (did you mean {close[0]!r}?)" if close
                           else f"; its functions: {', '.join(iface.functions) or 'none'}"), f'"{n}"', "functions(")
    fwd, bwd = iface.functions[fwd_name], iface.functions[bwd_name]
    plan = _Plan(convention)
    for a in fwd.params:
        plan.inputs[a] = read.need(fwd.entry(a), a, fwd).dims
    if "cache" not in fwd.returns:
        read.fail(f"the docstring of {fwd_name} must say which result is the cache: `returns (out, cache)`", fwd.line)
    cache_at = fwd.returns.index("cache")
    steps = [func("fwd", fwd_name, *[In(a) for a in fwd.params], hold=tuple(range(len(fwd.returns))))]
    what = f"{fwd_name}({', '.join(fwd.params)})"
    for i, r in enumerate(fwd.returns):
        if i == cache_at:
            continue
        e = read.need(fwd.entry(r), r, fwd)
        steps.append(pick(r, "fwd", i))
        suffix = "forward" if len(fwd.returns) == 2 else f"forward.{r}"
        plan.outputs.append(_Output(suffix, r, _quantity(convention, _kind(convention, e.dims, None, False), r, e.dims),
                                    f"{r}, item {i} of the result", what,
                                    f"forward: {r}" + (f", {e.symbol}" if e.symbol else "")))
        plan.forward_out = plan.forward_out or r
    plan.forward = list(steps)
    ups = [p for p in bwd.params if p != "cache"]
    if "cache" not in bwd.params:
        read.fail(f"{bwd_name} must take the cache that {fwd_name} returns, as a parameter named cache", bwd.line)
    for u in ups:
        plan.inputs[u] = read.need(bwd.entry(u), u, bwd).dims
    plan.upstream = ups[0] if ups else None
    args = [Held("fwd", cache_at) if p == "cache" else In(p) for p in bwd.params]
    b_what = f"{bwd_name}({', '.join(bwd.params)})"
    returned = [read.need(bwd.entry(r), r, bwd) for r in bwd.returns]
    if not returned:
        read.fail(f"the docstring of {bwd_name} must name what it returns: `returns dx: (N, D)` or "
                  f"`returns (dx, dw)`", bwd.line)
    variables = list(fwd.params)
    if len(returned) == 1:
        g = _gradient(plan, returned[0], variables, "", b_what)
        steps.append(func(g.out, bwd_name, *args))
        plan.outputs.append(g)
    else:
        steps.append(func("bwd", bwd_name, *args, hold=tuple(range(len(returned)))))
        for i, e in enumerate(returned):
            g = _gradient(plan, e, variables, "", b_what)
            steps.append(pick(g.out, "bwd", i))
            plan.outputs.append(replace(g, label=f"{g.label} (item {i} of the result)"))
    plan.main = steps
    return plan


# ---------------------------------------------------------------------------
# From the plan to an Exercise


def _renamed_steps(steps, suffix: str, handle: str) -> list:
    """The steps of a class recipe for one segment of the sequence recipe.

    Inputs and results get `suffix` ("x" becomes "x_2"); the object is `handle`.
    """
    from dataclasses import replace

    out = []
    for st in steps:
        args = tuple(In(f"{a.name}{suffix}") if isinstance(a, In) else a for a in st.args)
        if st.op == "new":
            out.append(replace(st, out=handle, args=args))
        else:
            out.append(replace(st, out=f"{st.out}{suffix}", target=handle if st.op in ("call", "attr") else st.target,
                               args=args))
    return out


def _check_declaration(site: _Site, exercise_id: str, plan: _Plan, sizes: Mapping[str, tuple],
                       inputs: Mapping[str, Generator], extreme: Mapping[str, float]) -> None:
    """Every name the declaration gives must exist; every dimension must have a size."""
    needed = sorted({d for dims in plan.inputs.values() for d in dims if not d.isdigit()})
    for kind, sets in sizes.items():
        if not sets:
            site.fail(f"{kind}= needs at least one set of sizes, e.g. [{{{', '.join(repr(d) + ': 4' for d in needed)}}}]",
                      f"{kind}=")
        for one in sets:
            missing = [d for d in needed if d not in one]
            if missing:
                site.fail(f"{kind}= {one} gives no size for {', '.join(missing)} (the reference's docstrings use "
                          f"the dimensions {', '.join(needed)})", f"{kind}=")
            bad = [d for d, v in one.items() if not isinstance(v, int) or isinstance(v, bool) or v < 1]
            if bad:
                site.fail(f"{kind}= {one}: the size of {bad[0]} must be a positive integer", f"{kind}=")
    for what, names in (("inputs=", inputs), ("extreme=", extreme)):
        for name in names:
            if name not in plan.inputs:
                close = difflib.get_close_matches(name, list(plan.inputs), n=1)
                site.fail(f"{what} names {name!r}, which is not an input of {exercise_id}"
                          + (f" (did you mean {close[0]!r}?)" if close else f"; inputs: {', '.join(plan.inputs)}"),
                          f'"{name}"')
        for name, gen in names.items():
            if what == "inputs=" and not callable(gen):
                site.fail(f"inputs= {name!r} must be a function (rng, shape, sizes) -> array", f'"{name}"')


def _declare(site: _Site, exercise_id: str, plan: _Plan, *, file: str, title: str, summary: str, order: int,
             public: Sequence[Mapping[str, int]], hidden: Sequence[Mapping[str, int]],
             inputs: Mapping[str, Generator], points: Mapping[str, float], extreme: Mapping[str, float],
             stateful: bool, dim_words: Mapping[str, str], hints: Mapping[str, str], try_it: str,
             specials: Sequence, interface: Interface, wording: Mapping[str, Mapping[str, str]],
             passthrough: Mapping[str, object]) -> Exercise:
    from grader.judging.special import Special, SpecialCheck, record

    sizes = {"public": tuple(dict(one) for one in public), "hidden": tuple(dict(one) for one in hidden)}
    _check_declaration(site, exercise_id, plan, sizes, inputs, extreme)
    # Parameters (constructor arguments) keep their sizes in the sequence recipe; other dimensions grow by one.
    state_params = {a.name for a in plan.main[0].args if isinstance(a, In)} if stateful else set()
    param_dims = {d for p in state_params for d in plan.inputs[p] if not d.isdigit()}

    def draw(names: Mapping[str, Dims], dims: Mapping[str, int], rng) -> dict:
        got = {}
        for name, shape_dims in names.items():
            shape = _size(shape_dims, dims)
            gen = inputs.get(name)
            got[name] = gen(rng, shape, dims) if gen is not None else rng.standard_normal(shape)
        return got

    def make_inputs(recipe: str, variant: str, rng: np.random.Generator) -> dict:
        kind, _, index = variant.partition(":")
        dims = sizes[kind][int(index or 0) % len(sizes[kind])]
        private = {f"_dim_{k}": float(v) for k, v in dims.items()}
        if recipe == "sequence":
            # The used object: a first call, then a second one with new data (other sizes where the
            # parameters allow); the fresh object: the parameters and the second call's data, copied.
            other = {k: (v if k in param_dims else v + 1) for k, v in dims.items()}
            first = draw(plan.inputs, dims, rng)
            second = draw({k: v for k, v in plan.inputs.items() if k not in state_params}, other, rng)
            got = {f"{k}_1": v for k, v in first.items()}
            got.update({f"{k}_2": v for k, v in second.items()})
            got.update({f"{k}_3": np.copy(v) for k, v in second.items()})
            got.update({f"{k}_3": np.copy(first[k]) for k in state_params})
            return {**got, **private}
        got = draw(plan.inputs, dims, rng)
        if recipe.startswith("special:"):
            spec = by_name[recipe.removeprefix("special:")]
            rec = record(spec, interface, got)
            if len(rec.steps) != len(recipes[recipe]):
                raise CourseError(f"the special check {spec.name} made other calls on other inputs: its calls must "
                                  f"not depend on the input values")
            return {**rec.inputs, **private}
        if recipe == "extreme":
            for name, size in extreme.items():
                x = np.asarray(got[name], dtype=np.float64)
                got[name] = x * (float(size) / max(float(np.max(np.abs(x))), 1e-12))
        return {**got, **private}

    recipes = {"main": tuple(plan.main)}
    ids = {o.suffix for o in plan.outputs}
    for key in wording:
        if key not in ids:
            close = difflib.get_close_matches(key, sorted(ids), n=1)
            site.fail(f"wording= names {key!r}, which is not a value check of {exercise_id}"
                      + (f" (did you mean {close[0]!r}?)" if close else f"; they are: {', '.join(sorted(ids))}"),
                      f'"{key}"')
    outputs = []
    for o in plan.outputs:
        own = tuple(sorted(wording.get(o.suffix, {}).items()))
        try:
            outputs.append(replace(o, quantity=replace(o.quantity, words=own)) if own else o)
        except ValueError as exc:       # an unknown word key or template field: Quantity says which
            site.fail(f"wording= {o.suffix!r}: {exc}", f'"{o.suffix}"')
    checks = [ValueCheck(f"{exercise_id}.{o.suffix}", o.title, float(points.get(o.suffix, 1)),
                         targets=(Target(o.out, o.quantity, label=o.label),), what=o.what) for o in outputs]
    numeric = ()
    if plan.wrt:
        numeric = (NumericSpec("main", tuple(plan.forward), plan.forward_out, plan.upstream, tuple(plan.wrt),
                               layout=plan.convention.gradient_layout),)
    public_plans = [TrialPlan(f"public-{i + 1}", "main", f"public:{i}") for i in range(len(public))]
    hidden_plans = [TrialPlan(f"hidden-{i + 1}", "main", f"hidden:{i}") for i in range(len(hidden))]
    if extreme:
        recipes["extreme"] = tuple(plan.main)
        public_plans.append(TrialPlan("extreme", "extreme", "public:0"))
        hidden_plans.append(TrialPlan("hidden-extreme", "extreme", "hidden:0"))
        targets = tuple(Target(o.out, o.quantity, label=o.label) for o in outputs)
        names = ", ".join(f"|{n}| up to {v:g}" for n, v in extreme.items())
        checks.append(ValueCheck(f"{exercise_id}.stability", f"stability: finite, exact results at {names}",
                                 float(points.get("stability", 1)), targets=targets, recipe="extreme",
                                 what=plan.outputs[0].what, moderate="main", extra_codes=(("any", (dx.UNSTABLE,)),)))
    if stateful:
        first = _renamed_steps(plan.main, "_1", "obj")
        second = [st for st in _renamed_steps(plan.main, "_2", "obj") if st.op != "new"]
        fresh = _renamed_steps(plan.main, "_3", "fresh")
        recipes["sequence"] = tuple(first + second + fresh)
        checks.append(SequenceCheck(f"{exercise_id}.hygiene.sequence", "a used object gives what a fresh one gives",
                                    float(points.get("hygiene.sequence", 1)), recipe="sequence",
                                    names=tuple(o.out for o in plan.outputs),
                                    story="a second forward/backward on the same object, with other inputs"))
        public_plans.append(TrialPlan("sequence", "sequence", "public:0", store=False))
        hidden_plans.append(TrialPlan("hidden-sequence", "sequence", "hidden:0", store=False))
    by_name = {}
    for spec in specials:
        if not isinstance(spec, Special):
            site.fail(f"special= takes functions decorated with @special, not {spec!r}", "special=")
        by_name[spec.name] = spec
        sample = draw(plan.inputs, sizes["public"][0], np.random.default_rng(0))
        rec = record(spec, interface, sample)
        recipe = f"special:{spec.name}"
        recipes[recipe] = tuple(rec.steps)
        story = (spec.fn.__doc__ or spec.name).strip().splitlines()[0].rstrip(".")
        checks.append(SpecialCheck(f"{exercise_id}.{spec.name}", spec.title or story, spec.points, recipe=recipe,
                                   comparisons=tuple(rec.comparisons), diagnosis=spec.diagnosis))
        public_plans.append(TrialPlan(f"special-{spec.name}", recipe, "public:0", store=False))
        hidden_plans.append(TrialPlan(f"hidden-special-{spec.name}", recipe, "hidden:0", store=False))
    checks.append(MutationCheck(f"{exercise_id}.hygiene.mutation", "inputs are not modified",
                                float(points.get("hygiene.mutation", 1))))
    checks.append(DeterminismCheck(f"{exercise_id}.hygiene.determinism", "identical calls give identical results",
                                   float(points.get("hygiene.determinism", 1))))
    ids = [c.id.removeprefix(exercise_id + ".") for c in checks]
    for key, value in points.items():
        if key not in ids:
            close = difflib.get_close_matches(key, ids, n=1)
            site.fail(f"points= names {key!r}, which is not a check of {exercise_id}"
                      + (f" (did you mean {close[0]!r}?)" if close else f"; its checks: {', '.join(ids)}"), f'"{key}"')
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            site.fail(f"points= {key!r}: {value!r} is not a number of points", f'"{key}"')
    batch = plan.convention.batch_dim if plan.convention.gradient_layout == "same" else None
    words = {**({batch: "the batch size"} if batch else {}), **dict(dim_words)}

    def factors(trial) -> dict:
        """The trial's sizes by name ("N, the batch size": 5), so a scale bug is named by its factor."""
        found = {}
        for key, value in trial.inputs.items():
            if key.startswith("_dim_"):
                d = key[len("_dim_"):]
                found[f"{d}, {words[d]}" if d in words else d] = float(value)
        return found

    extra = dict(passthrough)
    return Exercise(
        id=exercise_id, title=title, file=file, order=order, summary=summary,
        recipes={**recipes, **dict(extra.pop("recipes", {}))}, make_inputs=make_inputs,
        public=tuple(public_plans), hidden=tuple(hidden_plans), checks=tuple(checks) + tuple(extra.pop("checks", ())),
        numeric=numeric, factors=factors, try_it=try_it, **({"hints": dict(hints)} if hints else {}), **extra)


def layer(exercise_id: str, cls: str, *, convention: str = "column", public: Sequence[Mapping[str, int]],
          hidden: Sequence[Mapping[str, int]], title: str = "", summary: str = "", file: str | None = None,
          order: int = 100, points: Mapping[str, float] | None = None, inputs: Mapping[str, Generator] | None = None,
          extreme: Mapping[str, float] | None = None, dims: Mapping[str, str] | None = None,
          hints: Mapping[str, str] | None = None, try_it: str = "", special: Sequence = (),
          wording: Mapping[str, Mapping[str, str]] | None = None, **exercise_fields) -> Exercise:
    """An exercise on one layer class with `forward` and `backward` (see the module docstring).

    exercise_id: the folder's name; cls: the class in reference/<file>; convention: "column" or "batch";
    public, hidden: one trial per dict of sizes ({"n": 4}); points: check id without the prefix -> points;
    inputs: name -> generator(rng, shape, sizes); extreme: input -> the largest |value| of a stability trial;
    dims: dimension -> words ("C": "the number of classes"); hints: diagnosis code -> hint for this exercise;
    special: functions decorated with `grader.judging.special.special`, each one more check;
    wording: check id without the prefix -> {convention word key or "hint.<code>": text}, this check's own
    words (`grader.judging.convention`: e.g. {"backward.dW": {"transposed_matrix_gradient": "..."}}).
    Other keyword arguments are `grader.authoring.spec.Exercise` fields (mutants, decompositions, alternatives, and extra
    checks and recipes added to the inferred ones).
    """
    site = _site(2)
    file = file or f"{exercise_id}.py"
    read = _Reader(site, read_interface(_source_file(site, file)))
    plan = _layer_plan(read, cls, _convention(site, convention))
    return _declare(site, exercise_id, plan, file=file, title=title or cls, summary=summary, order=order,
                    public=public, hidden=hidden, inputs=dict(inputs or {}), points=dict(points or {}),
                    extreme=dict(extreme or {}), stateful=True, dim_words=dict(dims or {}), hints=dict(hints or {}),
                    try_it=try_it, specials=tuple(special), interface=read.iface,
                    wording=dict(wording or {}), passthrough=exercise_fields)


def functions(exercise_id: str, *, forward: str | None = None, backward: str | None = None,
              convention: str = "batch", public: Sequence[Mapping[str, int]], hidden: Sequence[Mapping[str, int]],
              title: str = "", summary: str = "", file: str | None = None, order: int = 100,
              points: Mapping[str, float] | None = None, inputs: Mapping[str, Generator] | None = None,
              extreme: Mapping[str, float] | None = None, dims: Mapping[str, str] | None = None,
              hints: Mapping[str, str] | None = None, try_it: str = "", special: Sequence = (),
              wording: Mapping[str, Mapping[str, str]] | None = None, **exercise_fields) -> Exercise:
    """An exercise on a function pair: `forward(...) -> (..., cache)` and `backward(..., cache) -> gradients`.

    forward, backward: the functions' names (default `<id>_forward`, `<id>_backward`). The other arguments
    are those of `layer`.
    """
    site = _site(2)
    file = file or f"{exercise_id}.py"
    read = _Reader(site, read_interface(_source_file(site, file)))
    plan = _pair_plan(read, forward or f"{exercise_id}_forward", backward or f"{exercise_id}_backward",
                      _convention(site, convention))
    return _declare(site, exercise_id, plan, file=file, title=title or exercise_id, summary=summary, order=order,
                    public=public, hidden=hidden, inputs=dict(inputs or {}), points=dict(points or {}),
                    extreme=dict(extreme or {}), stateful=False, dim_words=dict(dims or {}), hints=dict(hints or {}),
                    try_it=try_it, specials=tuple(special), interface=read.iface,
                    wording=dict(wording or {}), passthrough=exercise_fields)


def _convention(site: _Site, name: str):
    """The convention named (bundled, or in the course's conventions/), as `grader.judging.convention.Convention`."""
    from grader.judging.convention import get_convention

    try:
        return get_convention(name, site.root)
    except CourseError as exc:
        site.fail(str(exc), "convention=")
