"""Notebooks (and a kernel's history) into a Python module that can be graded like a .py file.

Whole-notebook execution makes grades fragile: a duplicated cell, a stray
training loop, input() or a warning changes or breaks them. So by default
only definitions are kept, in notebook order; everything else is dropped
and reported, one line per cell with the reason.

The keep rule, for each top-level statement of each code cell:
- imports are kept (except imports of the grader itself);
- `def`, `async def` and `class` are kept;
- an assignment (`x = ...`, `a, b = ...`, `x: T = ...`) to plain names is
  kept when its value is *inert*: evaluating it can run none of the
  student's own code and nothing that waits or reaches outside the
  program. An inert value is built only from
  - literals, and tuple, list, set and dict displays of inert values;
  - names already bound when it runs: by a kept import, a kept
    definition or assignment of an earlier statement, or a builtin;
  - attributes and subscripts of inert values; unary operations,
    comparisons, `and`/`or`, `x if c else y`, f-strings, and arithmetic
    (`**` only with a numeric literal exponent of at most 64, never `<<`);
  - lambdas (only their default values are evaluated; the body runs when
    called);
  - calls whose arguments are inert and whose callee is either a builtin
    that builds a value (`float`, `int`, `range`, `dict`, ... see
    SAFE_BUILTINS) or a name bound by an import, possibly followed by
    attributes (`np.finfo(float)`, `functools.partial(f, 2)`,
    `partial(f)` after `from functools import partial`). A callee is
    refused when its module is one that reaches outside the program or
    waits (UNSAFE_MODULES: os, time, subprocess, ...) or when a name in it
    reads, writes, shows or waits (UNSAFE_CALLS: `np.loadtxt`, `plt.show`,
    `time.sleep`, ...).
  So `sigmoid = lambda t: ...`, `_sigmoid = sigmoid`, `EPS =
  np.finfo(float).eps` and `act = functools.partial(f, 0.1)` are kept,
  and `model = Linear(W, b)` (the student's own class), `model.forward(x)`,
  `x = input()`, `data = np.loadtxt(...)`, `[f(i) for i in ...]`, loops,
  prints and plots are dropped. The check is one pass over the
  statement's syntax tree.
- Everything else is dropped: other statements (calls, loops, `if`,
  `with`, `try`, `x += 1`), IPython magics (`%timeit`), shell escapes
  (`!pip install`), help requests (`Sigmoid?`), cells tagged `grade-skip`.

When a name is defined more than once (a cell re-run or duplicated), the
last definition in notebook order is used and the report says so; an
earlier definition is kept anyway while a kept statement between the two
reads it when it runs (`EPS = EPS / 2`, `class B(A)`), as in the kernel.

Nothing kept may cost the whole exercise when it fails where grading runs
(the sandboxed worker): each kept import, and each kept assignment whose
value can raise (anything but a literal or a lambda with literal
defaults), becomes `try: <statement>` with an `except` line that binds
its names to a stand-in object. A stand-in raises a clear error only when
the graded code uses it ("matplotlib is not installed where your code is
graded; it was imported in cell 3 and is used here"). The stand-in comes
from a small helper at the top of the module, compiled under a file name
that tracebacks leave out. Statements stay on their own lines, so the
line map (Segment, Conversion.locator) still sends a traceback's line to
the cell and the line in it. The report says, in one line per module,
when a kept import names a module that the grading process cannot find.

`execute_all=True` keeps every code cell instead, in order; each cell runs
in the worker under the same sandbox and time limit, and a cell that raises
is reported without stopping the next ones.

IPython syntax is turned into Python by IPython's own input transformer
(`IPython.core.inputtransformer2.TransformerManager`, what the kernel
behind `check()` runs), so `grade x.ipynb`, `grade batch` and the check
cell read a cell the same way in every install. It is imported only for a
cell that does not parse as Python, and only for cells of at most
MAX_IPYTHON_CELL characters. Each line it turns into a get_ipython() call
then becomes `pass` at the same indentation (a magic inside a method
included): magics do not run at grading. Where the transformer is missing
or fails, or for a larger cell, lines starting with `%` or `!` become
`pass`. A cell the parser still cannot handle (a syntax error, nesting too
deep for the parser, a NUL byte) is dropped with the reason. Nothing here
prints a warning.

Stored outputs are never read. The notebook's JSON is parsed in the trusted
parent with size and structure limits (file size, number of cells, total
code); any defect is a SubmissionError with a one-line reason. Everything
here runs in time linear in the notebook's size: a cell is parsed once,
its lines are split once, each statement's tree is walked once (without
recursion), and the module is assembled in one pass.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import SubmissionError

#: Largest notebook accepted, in bytes (outputs included).
MAX_NOTEBOOK_BYTES = 20 << 20
#: Most cells (of any type) a notebook may have.
MAX_CELLS = 5000
#: Most characters of code, over all code cells (the size limit of a .py submission).
MAX_CODE_CHARS = 2 << 20
#: Largest cell handed to IPython's transformer (which is slow on large cells); larger ones get `pass` lines.
MAX_IPYTHON_CELL = 64 << 10
#: Reasons listed per dropped cell, and kept names and dropped cells listed in the report.
MAX_REASONS, MAX_LISTED = 5, 40
_CELL_FILE = re.compile(r"notebook-cell-([0-9]{1,9})\.py")
#: The cell tag that always drops a cell.
SKIP_TAG = "grade-skip"
#: execute_all compiles cell n under the name <prefix>n.py, so tracebacks can name the cell.
_CELL_FILE_PREFIX = "notebook-cell-"
_GRADER_MODULES = ("grader",)
#: Builtins a kept assignment may call: each builds a value and calls no code of the student's.
SAFE_BUILTINS = frozenset({"abs", "bool", "complex", "dict", "divmod", "float", "frozenset", "int", "len", "list",
                           "object", "range", "round", "set", "slice", "str", "tuple"})
#: Modules whose functions reach outside the program or wait: a kept assignment never calls into them.
UNSAFE_MODULES = frozenset({"asyncio", "builtins", "concurrent", "ctypes", "getpass", "glob", "http", "importlib",
                            "io", "IPython", "multiprocessing", "os", "pathlib", "pickle", "requests", "select",
                            "shutil", "signal", "socket", "subprocess", "sys", "tempfile", "threading", "time",
                            "urllib", "webbrowser"})
#: A callee with a name in it starting with one of these reads or writes files, shows, or waits: never called.
UNSAFE_CALLS = ("load", "read", "save", "write", "open", "download", "fetch", "show", "pause", "input", "sleep",
                "wait", "system", "urlopen", "exit", "quit")
#: Largest numeric literal exponent a kept `**` may have.
MAX_EXPONENT = 64


@dataclass(frozen=True)
class Cell:
    """One code cell: its position among all cells, its source, and its tags."""

    index: int
    source: str
    tags: tuple[str, ...] = ()


def label(origin: str, index: int) -> str:
    """How a cell is named in reports: "cell 3" in a notebook file, "In [3]" in a kernel's history."""
    return f"In [{index}]" if origin == "In" else f"{origin} {index}"


@dataclass(frozen=True)
class Segment:
    """Lines module_first..module_last of the module are lines cell_first.. of cell `cell`."""

    module_first: int
    module_last: int
    cell: int
    cell_first: int


@dataclass(frozen=True)
class Conversion:
    """The module made from cells, what was kept and dropped, and where each kept line came from."""

    source: str
    kept: tuple[str, ...]
    dropped: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())
    segments: tuple[Segment, ...] = ()
    origin: str = "cell"

    def locator(self, module_file: str):
        """A Locate for grader.judging.values: (file, line) in the module (or a cell run by execute_all) -> cell, line."""
        def locate(file: str, line: int) -> tuple[str, int] | None:
            if file == module_file:
                for s in self.segments:
                    if s.module_first <= line <= s.module_last:
                        return label(self.origin, s.cell), s.cell_first + line - s.module_first
                return None
            match = _CELL_FILE.fullmatch(file)
            if match:
                return label(self.origin, int(match.group(1))), line
            return None
        return locate

    def summary(self) -> tuple[str, ...]:
        """Lines for the report (at most MAX_LISTED names and dropped cells, then a count)."""
        out = []
        if self.kept:
            more = len(self.kept) - MAX_LISTED
            out.append("kept: " + ", ".join(self.kept[:MAX_LISTED]) + (f" and {more} more" if more > 0 else ""))
        out += [f"dropped {d}" for d in self.dropped[:MAX_LISTED]]
        if len(self.dropped) > MAX_LISTED:
            out.append(f"dropped {len(self.dropped) - MAX_LISTED} more cells")
        out += list(self.notes[:MAX_LISTED])
        return tuple(out)


def read_notebook(path: str | Path) -> list[Cell]:
    """The code cells of a notebook file, checked for the defects students' files have."""
    from grader.submissions import safe_read

    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise SubmissionError(f"cannot read {p.name}: {exc.strerror or exc}") from None
    if size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{p.name} is {size >> 20} MiB; notebooks over {MAX_NOTEBOOK_BYTES >> 20} MiB are not "
                              f"accepted (clear the outputs and save it again)")
    data = safe_read.read_bytes(p, limit=MAX_NOTEBOOK_BYTES)
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError, MemoryError) as exc:
        raise SubmissionError(f"{p.name} is not a valid notebook: its JSON does not parse "
                              f"({str(exc)[:200] or type(exc).__name__})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cells", doc.get("worksheets")), list):
        raise SubmissionError(f"{p.name} is not a notebook: it has no list of cells")
    major = doc.get("nbformat")
    if type(major) is not int or major < 4:
        raise SubmissionError(f"{p.name} uses notebook format {major}; only format 4 is supported "
                              f"(open it in a current Jupyter and save it again)")
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    language = None
    for key in ("kernelspec", "language_info"):
        info = meta.get(key)
        if isinstance(info, dict):
            language = info.get("language", info.get("name")) if key == "kernelspec" else info.get("name")
            if language:
                break
    if isinstance(language, str) and language.lower() not in ("python", "python3"):
        raise SubmissionError(f"{p.name} is a notebook for {language}; the exercises need a Python notebook")
    if len(doc["cells"]) > MAX_CELLS:
        raise SubmissionError(f"{p.name} has {len(doc['cells'])} cells; notebooks with more than {MAX_CELLS} are "
                              f"not accepted")
    cells = []
    code_chars = 0
    for i, cell in enumerate(doc["cells"]):
        if not isinstance(cell, dict):
            raise SubmissionError(f"{p.name}: cell {i + 1} is not a cell object")
        if cell.get("cell_type") != "code":
            continue
        raw = cell.get("source", "")
        if isinstance(raw, list) and all(isinstance(line, str) for line in raw):
            source = "".join(raw)
        elif isinstance(raw, str):
            source = raw
        else:
            raise SubmissionError(f"{p.name}: the source of cell {i + 1} is not text")
        code_chars += len(source)
        if code_chars > MAX_CODE_CHARS:
            raise SubmissionError(f"{p.name} holds more than {MAX_CODE_CHARS >> 20} MiB of code; that is not "
                                  f"accepted")
        tags = cell.get("metadata", {}).get("tags", []) if isinstance(cell.get("metadata"), dict) else []
        cells.append(Cell(i + 1, source, tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ()))
    if not cells:
        raise SubmissionError(f"{p.name} has no code cells")
    return cells


def parse(code: str | bytes) -> ast.Module | str:
    """The module's syntax tree, or why it cannot be had (a syntax error, too deep, a NUL byte).

    Python's own warnings about the code (SyntaxWarning for `1if x else 2`,
    an invalid escape) are silenced: they are about student text and would
    otherwise be printed on the grader's stderr.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(code)
    except SyntaxError as exc:
        return f"{exc.msg}, line {exc.lineno}"
    except (RecursionError, MemoryError):
        return "it is nested too deeply"
    except ValueError as exc:
        return str(exc)[:100]


def _lines(source: str) -> list[str]:
    """The cell's lines as Python's parser counts them (\\n, \\r\\n and \\r end a line)."""
    return source.replace("\r\n", "\n").replace("\r", "\n").split("\n")


_TRANSFORMER = []          # IPython's TransformerManager, made on first use


def _ipython_transform(code: str) -> str | None:
    """IPython's own transformation of the cell into Python, or None where IPython is missing or fails.

    Imported on first use only: most cells are plain Python. Warnings from
    IPython are silenced, so nothing reaches the student's terminal.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if not _TRANSFORMER:
                from IPython.core.inputtransformer2 import TransformerManager
                _TRANSFORMER.append(TransformerManager())
            converted = _TRANSFORMER[0].transform_cell(code)
    except Exception:  # noqa: BLE001 - IPython missing or failing on odd input: the caller falls back
        return None
    return converted if isinstance(converted, str) else None


def _ipython_line(text: str) -> str:
    """How a line of IPython syntax is named in the report."""
    s = text.strip()
    if s.startswith("%"):
        return f"magic {(s.split() or ['%'])[0][:40]}"
    if s.startswith("!"):
        return f"shell escape {s[:40]}"
    if s.endswith("?") or s.startswith("?"):
        return f"help request {s[:40]}"
    return f"IPython syntax {s[:40]}"


def _to_python(source: str) -> tuple[str, list[str], ast.Module | str]:
    """IPython syntax to Python: (the code, what IPython syntax was found, its tree or why it does not parse).

    Every line of IPython syntax becomes `pass` (see the module docstring).
    """
    lines = _lines(source)
    if lines and lines[0].lstrip().startswith("%%"):
        return "", [f"cell magic {(lines[0].strip().split() or ['%%'])[0][:40]}"], ast.Module([], [])
    code = "\n".join(lines)
    tree = parse(code)
    if not isinstance(tree, str):
        return code, [], tree                       # plain Python: nothing to convert
    converted = _ipython_transform(code) if len(code) <= MAX_IPYTHON_CELL else None
    if converted is not None:
        new = _lines(converted)
        if len(new) == len(lines) + 1 and new[-1] == "":
            new.pop()                               # the transformer ends the cell with a newline
        if len(new) == len(lines):
            turned = [ln != old and "get_ipython()" in ln for old, ln in zip(lines, new)]
            found = [_ipython_line(old) for old, t in zip(lines, turned) if t]
            passed = "\n".join(ln[:len(ln) - len(ln.lstrip())] + "pass" if t else ln for ln, t in zip(new, turned))
            passed_tree = parse(passed)
            if not isinstance(passed_tree, str):
                return passed, found, passed_tree
    # Without IPython's help (or for a large cell) the magics stay as they are: turn them into `pass` ourselves.
    found = [_ipython_line(ln) for ln in lines if ln.lstrip().startswith(("%", "!"))]
    passed = _pass_lines(code, lambda ln: ln.lstrip().startswith(("%", "!")))
    passed_tree = parse(passed)
    return passed, found, tree if isinstance(passed_tree, str) else passed_tree


def _pass_lines(code: str, chosen) -> str:
    """`code` with every line for which chosen(line) holds replaced by `pass` at the same indentation."""
    return "\n".join(ln[:len(ln) - len(ln.lstrip())] + "pass" if chosen(ln) else ln for ln in code.split("\n"))


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return False


def _target_names(targets: list[ast.expr]) -> list[str] | None:
    """The names an assignment binds, or None when a target is not a plain name (an attribute, a subscript)."""
    names = []
    for target in targets:
        parts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        for part in parts:
            if isinstance(part, ast.Starred):
                part = part.value
            if not isinstance(part, ast.Name):
                return None
            names.append(part.id)
    return names


def _assigned(stmt: ast.stmt) -> tuple[list[str], ast.expr] | None:
    """(names, value) of an assignment to plain names, else None."""
    if isinstance(stmt, ast.Assign):
        names = _target_names(stmt.targets)
        return (names, stmt.value) if names else None
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        return [stmt.target.id], stmt.value
    return None


def _imported(stmt: ast.Import | ast.ImportFrom) -> dict[str, str]:
    """{name bound: what it is, as a dotted path} for an import (`import a.b` binds a; `from a import b` a.b)."""
    if isinstance(stmt, ast.Import):
        return {(a.asname or a.name.split(".")[0]): (a.name if a.asname else a.name.split(".")[0])
                for a in stmt.names}
    module = "." * stmt.level + (stmt.module or "")
    return {(a.asname or a.name): f"{module}.{a.name}" for a in stmt.names if a.name != "*"}


_BUILTINS = frozenset(dir(builtins))
_INERT = (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
          ast.JoinedStr, ast.FormattedValue, ast.Attribute, ast.Subscript, ast.Slice, ast.Starred, ast.keyword,
          ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop)


def _callee_problem(func: ast.expr, bound: dict[str, str]) -> str | None:
    """None if a kept assignment may call `func` (see the module docstring), else why not."""
    attrs = []
    node = func
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return "it calls a method of a computed value"
    attrs.reverse()
    shown = ".".join([node.id] + attrs)[:40]
    origin = bound.get(node.id)
    if origin is None:
        if node.id in SAFE_BUILTINS:
            return None
        if node.id in _BUILTINS:
            return f"it calls {shown}"
        return f"it uses {node.id}, which is not kept"
    if origin == "":
        return f"it calls {shown}, your own code"
    path = origin.split(".") + attrs
    if path[0] in UNSAFE_MODULES or any(p.lower().startswith(UNSAFE_CALLS) for p in path[1:]):
        return f"it calls {shown}, which can reach outside the program or wait"
    return None


def _small_exponent(node: ast.expr) -> bool:
    """Whether `node` is a numeric literal (with an optional sign) of absolute value at most MAX_EXPONENT."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) in (int, float) and abs(node.value) <= MAX_EXPONENT


def _value_problem(value: ast.expr, bound: dict[str, str], reads: set[str]) -> str | None:
    """None if `value` is inert (see the module docstring), else why not; adds the names it reads to `reads`.

    One pass over the tree with an explicit stack: no recursion, however deep the expression.
    """
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            if node.id not in bound and node.id not in _BUILTINS:
                return f"it uses {node.id}, which is not kept"
            reads.add(node.id)
        elif isinstance(node, ast.Lambda):
            stack += [d for d in node.args.defaults + node.args.kw_defaults if d is not None]
        elif isinstance(node, ast.Call):
            problem = _callee_problem(node.func, bound)
            if problem:
                return problem
            func = node.func
            while isinstance(func, ast.Attribute):
                func = func.value
            reads.add(func.id)
            stack += node.args + node.keywords
        elif isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.LShift) or isinstance(node.op, ast.Pow) and not _small_exponent(node.right):
                return "it may compute for very long (`**` with a large exponent, or `<<`)"
            stack += [node.left, node.right]
        elif isinstance(node, _INERT):
            stack += ast.iter_child_nodes(node)
        else:
            return "it loops or runs code (a comprehension, await or :=)"
    return None


def _definition_reads(stmt: ast.stmt) -> set[str]:
    """Names a def or class reads when it is defined: decorators, defaults, annotations, bases, class bodies."""
    reads: set[str] = set()
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            stack += [d for d in a.defaults + a.kw_defaults if d is not None]
            if not isinstance(node, ast.Lambda):
                stack += node.decorator_list + [x.annotation for x in a.posonlyargs + a.args + a.kwonlyargs
                                                 if x.annotation is not None]
                stack += [x.annotation for x in (a.vararg, a.kwarg) if x is not None and x.annotation is not None]
                stack += [node.returns] if node.returns is not None else []
        elif isinstance(node, ast.Name):
            reads.add(node.id)
        else:
            stack += ast.iter_child_nodes(node)
    return reads


@dataclass(frozen=True)
class _Kept:
    """A kept statement: where it is, the names it defines, its text, what it reads, how it is guarded.

    guard: "" (runs as it is), "import" (a failing import binds stand-ins)
    or "value" (a failing value binds a stand-in); binds: the names a
    stand-in is bound to; modules: the top-level modules an import names;
    future: a `from __future__` import, placed first.
    """

    cell: int
    first: int
    names: tuple[str, ...]
    text: str
    reads: frozenset[str] = frozenset()
    guard: str = ""
    binds: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    future: bool = False


def _why_dropped(stmt: ast.stmt, text: _Text, bound: dict[str, str]) -> tuple[str | None, frozenset[str]]:
    """(None if the statement is kept, else a short reason, "" to leave it out silently; the names it reads)."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        modules = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [stmt.module or ""]
        if any(m == g or m.startswith(g + ".") for m in modules for g in _GRADER_MODULES):
            return "an import of the grader itself", frozenset()
        return None, frozenset()
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None, frozenset(_definition_reads(stmt))
    segment = text.first_line(stmt)
    assigned = _assigned(stmt)
    if assigned is not None:
        reads: set[str] = set()
        problem = _value_problem(assigned[1], bound, reads)
        if problem is None:
            return None, frozenset(reads)
        return f"an assignment that {problem.removeprefix('it ')}: {segment[:60]}", frozenset()
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
        return "", frozenset()                   # a docstring or a bare string: left out silently
    if isinstance(stmt, ast.Pass):
        return "", frozenset()                   # includes a top-level magic, already reported
    if "get_ipython()" in segment:
        return "an IPython magic", frozenset()
    kind = {ast.For: "a loop", ast.While: "a loop", ast.If: "an if block", ast.With: "a with block",
            ast.Try: "a try block"}.get(type(stmt), "a statement")
    return f"{kind}: {segment[:60]}", frozenset()


class _Text:
    """A cell's lines, cut at the byte columns ast reports (encoding each non-ASCII line once)."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self._bytes: dict[int, bytes | None] = {}

    def _cut(self, k: int, start: int, end: int | None) -> str:
        if k not in self._bytes:
            line = self.lines[k]
            self._bytes[k] = None if line.isascii() else line.encode("utf-8")
        raw = self._bytes[k]
        if raw is None:
            return self.lines[k][start:end]
        return raw[start:end].decode("utf-8", errors="replace")

    def first_line(self, stmt: ast.stmt) -> str:
        """The statement's first line, without what other statements on that line hold."""
        end = stmt.end_col_offset if stmt.end_lineno == stmt.lineno else None
        return self._cut(stmt.lineno - 1, stmt.col_offset, end).strip()

    def segment(self, stmt: ast.stmt) -> tuple[int, str]:
        """The statement's first line and its text: whole lines for a def or class (decorators included),
        exactly the statement for a simple one (so `import a; run()` keeps only the import)."""
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([stmt.lineno] + [d.lineno for d in stmt.decorator_list])
            return first, "\n".join(self.lines[first - 1:stmt.end_lineno])
        first, last = stmt.lineno - 1, stmt.end_lineno - 1
        if first == last:
            return stmt.lineno, self._cut(first, stmt.col_offset, stmt.end_col_offset)
        middle = self.lines[first + 1:last]
        return stmt.lineno, "\n".join([self._cut(first, stmt.col_offset, None)] + middle
                                      + [self._cut(last, 0, stmt.end_col_offset)])


def _python_cells(cells: list[Cell], origin: str, dropped: list[str], magic_note: str = ""):
    """Yield (cell, its label, its code as Python, its tree or why it does not parse).

    Skipped cells go to `dropped`, and so do the magics found in a cell.
    """
    for cell in cells:
        where = label(origin, cell.index)
        if SKIP_TAG in cell.tags:
            dropped.append(f"{where}: tagged {SKIP_TAG}")
            continue
        code, magics, tree = _to_python(cell.source)
        if magics:
            dropped.append(f"{where}: {', '.join(magics[:3])}{magic_note}")
        yield cell, where, code, tree


def _kept_statement(stmt: ast.stmt, cell: int, text: _Text, reads: frozenset[str]) -> _Kept:
    first, source = text.segment(stmt)
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        future = isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__" and not stmt.level
        if isinstance(stmt, ast.Import):
            modules = tuple(a.name.split(".")[0] for a in stmt.names)
        else:
            modules = () if stmt.level else ((stmt.module or "").split(".")[0],)
        return _Kept(cell, first, (), source, guard="" if future else "import", binds=tuple(_imported(stmt)),
                     modules=modules, future=future)
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return _Kept(cell, first, (stmt.name,), source, reads)
    names, value = _assigned(stmt)
    plain = _is_literal(value) or isinstance(value, ast.Lambda) and all(
        d is None or _is_literal(d) for d in value.args.defaults + value.args.kw_defaults)
    return _Kept(cell, first, tuple(names), source, reads, "" if plain else "value", tuple(dict.fromkeys(names)))


def _superseded(kept: list[_Kept]) -> list[bool]:
    """Which kept statements a later one replaces, with nothing kept in between reading them (one backward pass)."""
    defined_later: set[str] = set()
    needed: set[str] = set()
    out = [False] * len(kept)
    for k in range(len(kept) - 1, -1, -1):
        names = kept[k].names
        if names and all(n in defined_later and n not in needed for n in names):
            out[k] = True
            continue
        for n in names:
            needed.discard(n)
            defined_later.add(n)
        needed |= kept[k].reads
    return out


def definitions(cells: list[Cell], *, origin: str = "cell") -> Conversion:
    """The definitions-only module (see the module docstring)."""
    kept: list[_Kept] = []
    dropped: list[str] = []
    notes: list[str] = []
    bound: dict[str, str] = {}          # name -> dotted path for an import, "" for the student's own definitions
    for cell, where, code, tree in _python_cells(cells, origin, dropped):
        if isinstance(tree, str):
            dropped.append(f"{where}: it does not parse ({tree})")
            continue
        lines = code.split("\n")
        text = _Text(lines)
        reasons: dict[str, None] = {}
        more = 0
        for stmt in tree.body:
            why, reads = _why_dropped(stmt, text, bound)
            if why is None:
                kept.append(_kept_statement(stmt, cell.index, text, reads))
                if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    bound.update(_imported(stmt))
                else:
                    bound.update(dict.fromkeys(kept[-1].names, ""))
            elif why:
                if len(reasons) < MAX_REASONS:
                    reasons[why] = None
                elif why not in reasons:
                    more += 1
        if reasons:
            dropped.append(f"{where}: {'; '.join(reasons)}" + (f"; and {more} more" if more else ""))
    last: dict[str, int] = {}
    for k, statement in enumerate(kept):
        for name in statement.names:
            last[name] = k
    final: list[_Kept] = []
    seen_imports = set()
    for statement, superseded in zip(kept, _superseded(kept)):
        if superseded:
            name = statement.names[0]
            notes.append(f"{name} is defined again later ({label(origin, kept[last[name]].cell)}); the definition "
                         f"in {label(origin, statement.cell)} is not used")
            continue
        if statement.guard == "import" or statement.future:
            if statement.text in seen_imports:      # the same import twice
                continue
            seen_imports.add(statement.text)
        final.append(statement)
    notes += _missing_modules(final, origin)
    final.sort(key=lambda s: not s.future)          # `from __future__` imports must come first (a stable sort)
    kept_names = [f"{n} ({label(origin, s.cell)})" for s in final for n in s.names]
    snippets = [(s.text, _guard(s, origin)) for s in final]
    helper = any(s.guard for s in final)
    source, starts = _module(snippets, helper_after=sum(s.future for s in final) if helper else None)
    segments = [Segment(start, start + s.text.count("\n"), s.cell, s.first) for start, s in zip(starts, final)]
    return Conversion(source, tuple(kept_names), tuple(dropped), tuple(notes), tuple(segments), origin)


def _guard(statement: _Kept, origin: str) -> str:
    """The `except` line that follows a guarded statement ("" for none)."""
    where = label(origin, statement.cell)
    if statement.guard == "import":
        stand_in = f"_grade_import_failed(_grade_error, {where!r})"
        binds = " = ".join(statement.binds)
        action = f"{binds} = {stand_in}" if binds else "pass"
        return f"except ImportError as _grade_error: {action}"
    if statement.guard == "value":
        names = ", ".join(statement.binds)
        return (f"except Exception as _grade_error: {' = '.join(statement.binds)} = "
                f"_grade_value_failed(_grade_error, {names!r}, {where!r})")
    return ""


def _missing_modules(final: list[_Kept], origin: str) -> list[str]:
    """One note per module a kept import names that this process cannot find (the worker runs the same Python)."""
    import importlib.util
    import sys

    notes, seen = [], set()
    for statement in final:
        if statement.guard != "import":
            continue
        for module in statement.modules:
            if not module or module in seen or module in sys.modules:
                continue
            seen.add(module)
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                notes.append(f"{module} is not installed where your code is graded: its import in "
                             f"{label(origin, statement.cell)} is kept as a stand-in that raises only if "
                             f"your code uses it")
    return notes


def execute_all(cells: list[Cell], *, origin: str = "cell") -> Conversion:
    """Every code cell in order, each guarded so one failing cell does not stop the rest.

    Cell n is compiled under the file name notebook-cell-n.py (its lines
    registered with linecache), so a traceback names the cell and the line
    within it. Magic and shell-escape lines become `pass`, keeping the
    cell's indentation and line numbers.
    """
    blocks = []
    dropped: list[str] = []
    note = " (magics and shell escapes cannot run here)"
    for cell, _, code, _ in _python_cells(cells, origin, dropped, note):
        blocks.append((cell.index, code))
    runner = f"""\
import linecache as _grade_linecache
import os as _grade_os
import sys as _grade_sys

_grade_cells = {[(i, label(origin, i), c) for i, c in blocks]!r}
for _grade_index, _grade_label, _grade_code in _grade_cells:
    _grade_file = _grade_os.path.join(_grade_os.path.dirname(_grade_os.path.abspath(__file__)),
                                      f"{_CELL_FILE_PREFIX}{{_grade_index}}.py")
    _grade_linecache.cache[_grade_file] = (len(_grade_code), None, _grade_code.splitlines(True), _grade_file)
    try:
        exec(compile(_grade_code, _grade_file, "exec"), globals())
    except Exception as _grade_error:
        print(f"{{_grade_label}} raised {{type(_grade_error).__name__}}: {{_grade_error}}", file=_grade_sys.stderr)
"""
    return Conversion(_module([(runner, "")])[0], tuple(label(origin, i) for i, _ in blocks), tuple(dropped),
                      origin=origin)


_HEADER = "# Code collected from a notebook's code cells.\n\n"

#: The stand-ins of guarded statements (see the module docstring). It runs in the worker, as the student's code.
_STAND_IN = '''\
class _GradeUnavailable:
    """A name whose import or value failed where this code is graded: any use of it raises the error."""

    def __init__(self, error, message):
        object.__setattr__(self, "_grade_why", (error, message))

    def _grade_raise(self, *args, **kwargs):
        error, message = object.__getattribute__(self, "_grade_why")
        raise error(message)

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        object.__getattribute__(self, "_grade_raise")()

    def __repr__(self):
        return "<not available: " + object.__getattribute__(self, "_grade_why")[1] + ">"

    __call__ = __getitem__ = __iter__ = __len__ = __bool__ = __float__ = __int__ = __index__ = _grade_raise
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _grade_raise
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = __matmul__ = _grade_raise
    __rmatmul__ = __neg__ = __pos__ = __abs__ = __lt__ = __le__ = __gt__ = __ge__ = __array__ = _grade_raise
    __setattr__ = __enter__ = _grade_raise


def _grade_import_failed(error, where):
    if isinstance(error, ModuleNotFoundError) and error.name:
        why = error.name + " is not installed where your code is graded"
    else:
        why = "this import failed where your code is graded (" + str(error)[:200] + ")"
    return _GradeUnavailable(ModuleNotFoundError, why + "; it was imported in " + where + " and is used here")


def _grade_value_failed(error, names, where):
    return _GradeUnavailable(NameError, names + " could not be computed where your code is graded (" + where
                             + " raised " + type(error).__name__ + ": " + str(error)[:200] + "); it is used here")
'''
#: One line of the module: compiled under a file name starting with "<", which tracebacks in reports leave out.
_STAND_IN_LINE = f'exec(compile({_STAND_IN!r}, "<notebook stand-in>", "exec"))'


def _module(snippets: list[tuple[str, str]], *, helper_after: int | None = None) -> tuple[str, list[int]]:
    """The module holding `snippets`, two blank lines apart, and the line each snippet's text starts on.

    A snippet is (text, guard): with a guard (an `except` line), the text
    becomes `try: <text>` and the guard follows on the next line, so the
    text keeps its lines. helper_after: put the stand-in helper line after
    that many snippets (None: no helper).
    """
    parts, starts, line = [], [], _HEADER.count("\n") + 1
    for k, (text, guard) in enumerate(snippets):
        if k == helper_after:
            parts.append(_STAND_IN_LINE)
            line += 3
        starts.append(line)
        parts.append(f"try: {text}\n{guard}" if guard else text)
        line += text.count("\n") + (1 if guard else 0) + 3
    if helper_after is not None and helper_after >= len(snippets):
        parts.append(_STAND_IN_LINE)
    return _HEADER + "\n\n\n".join(parts) + "\n", starts
