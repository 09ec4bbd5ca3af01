"""Notebooks (and a kernel's history) into a Python module that can be graded like a .py file.

Whole-notebook execution makes grades fragile: a duplicated cell, a stray
training loop, input() or a warning changes or breaks them. So by default
only definitions are kept: imports, `def`, `class`, and assignments of
literal constants at top level. Everything else is dropped and reported,
one line per cell: other statements (calls, loops, prints, plots),
IPython magics (`%timeit`), shell escapes (`!pip install`), cells tagged
`grade-skip`, and imports of the grader itself. When a name is defined
more than once (a cell re-run or duplicated), the last definition in
notebook order is used, and the report says so.

`execute_all=True` keeps every code cell instead, in order; each cell runs
in the worker under the same sandbox and time limit, and a cell that raises
is reported without stopping the next ones.

Stored outputs are never read. The notebook's JSON is parsed in the trusted
parent with size and structure limits (file size, number of cells, total
code); any defect is a SubmissionError with a one-line reason. Everything
here runs in time linear in the notebook's size: a cell is parsed once,
its lines are split once, and the module is assembled in one pass. A cell
that does not parse as Python (IPython syntax) is turned into Python by
nbconvert's `ipython2python` filter when it is small enough
(MAX_IPYTHON_CELL); otherwise, and where that fails, each magic or shell
line becomes `pass`. A cell the parser cannot handle at all (a syntax
error, nesting too deep for the parser, a NUL byte) is dropped with the
reason.
"""

from __future__ import annotations

import ast
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
        """A Locate for grader.values: (file, line) in the module (or a cell run by execute_all) -> cell, line."""
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
    from grader import safe_read

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


def _to_python(source: str) -> tuple[str, list[str], ast.Module | None]:
    """IPython syntax to Python: (the code, lines ending in \\n; the magics/escapes found; its tree if plain Python)."""
    found = []
    lines = _lines(source)
    if lines and lines[0].lstrip().startswith("%%"):
        return "", [f"cell magic {(lines[0].strip().split() or ['%%'])[0][:40]}"], None
    for line in lines:
        s = line.lstrip()
        if s.startswith("%"):
            found.append(f"magic {(s.split() or ['%'])[0][:40]}")
        elif s.startswith("!"):
            found.append(f"shell escape {s[:40]}")
    code = "\n".join(lines)
    tree = parse(code)
    if not isinstance(tree, str):
        return code, found, tree                    # plain Python: nothing to convert
    if len(code) <= MAX_IPYTHON_CELL:
        try:
            from nbconvert.filters import ipython2python
            converted = ipython2python(code)
        except Exception:  # noqa: BLE001 - nbconvert or IPython unavailable or failing: fall back below
            converted = code
        if not isinstance(parse(converted), str):
            return "\n".join(_lines(converted)), found, None
    # Without IPython (or for a large cell) the magics stay as they are: turn them into `pass` ourselves.
    return _pass_lines(code, lambda ln: ln.lstrip().startswith(("%", "!"))), found, None


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return False


def _names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    return []


def _why_dropped(stmt: ast.stmt, lines: list[str]) -> str | None:
    """None if the statement is a definition to keep, else a short reason ("" to leave it out silently)."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        modules = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [stmt.module or ""]
        if any(m == g or m.startswith(g + ".") for m in modules for g in _GRADER_MODULES):
            return "an import of the grader itself"
        return None
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None
    if isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets) and _is_literal(stmt.value):
        return None
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None \
            and _is_literal(stmt.value):
        return None
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
        return ""                                # a docstring or a bare string: left out silently
    if isinstance(stmt, ast.Pass):
        return ""                                # includes a top-level magic, already reported
    segment = lines[stmt.lineno - 1].strip() if 0 < stmt.lineno <= len(lines) else type(stmt).__name__
    if "get_ipython()" in segment:
        return "an IPython magic"
    kind = {ast.For: "a loop", ast.While: "a loop", ast.If: "an if block", ast.With: "a with block",
            ast.Try: "a try block"}.get(type(stmt), "a statement")
    return f"{kind}: {segment[:60]}"


def _segment(lines: list[str], stmt: ast.stmt) -> tuple[int, str]:
    """The statement's first line (decorators included) and its text."""
    first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
    return first, "\n".join(lines[first - 1:stmt.end_lineno])


def _python_cells(cells: list[Cell], origin: str, dropped: list[str], magic_note: str = ""):
    """Yield (cell, its label, its code as Python, whether it had magics, its tree if already parsed).

    Skipped cells go to `dropped`.
    """
    for cell in cells:
        where = label(origin, cell.index)
        if SKIP_TAG in cell.tags:
            dropped.append(f"{where}: tagged {SKIP_TAG}")
            continue
        code, magics, tree = _to_python(cell.source)
        if magics:
            dropped.append(f"{where}: {', '.join(magics[:3])}{magic_note}")
            code, tree = _without_magics(code), None
        yield cell, where, code, bool(magics), tree


def _without_magics(code: str) -> str:
    """Each converted magic or shell-escape line becomes `pass`, keeping indentation and line numbers.

    A magic inside a function body (say `%time` in a method) would otherwise
    be kept as a get_ipython() call and fail in the worker, where there is no
    IPython.
    """
    return _pass_lines(code, lambda ln: "get_ipython()" in ln)


def _pass_lines(code: str, chosen) -> str:
    """`code` with every line for which chosen(line) holds replaced by `pass` at the same indentation."""
    return "\n".join(ln[:len(ln) - len(ln.lstrip())] + "pass" if chosen(ln) else ln for ln in code.split("\n"))


def definitions(cells: list[Cell], *, origin: str = "cell") -> Conversion:
    """The definitions-only module (see the module docstring)."""
    kept: list[tuple[int, int, list[str], str]] = []   # (cell, first line in the cell, names, text)
    dropped: list[str] = []
    notes: list[str] = []
    for cell, where, code, magics, tree in _python_cells(cells, origin, dropped):
        tree = tree if tree is not None else parse(code)
        if isinstance(tree, str):
            dropped.append(f"{where}: it does not parse ({tree})")
            continue
        lines = code.split("\n")
        reasons: dict[str, None] = {}
        more = 0
        for stmt in tree.body:
            why = _why_dropped(stmt, lines)
            if why is None:
                first, text = _segment(lines, stmt)
                kept.append((cell.index, first, _names(stmt), text))
            elif why and ("IPython magic" not in why or not magics):
                if len(reasons) < MAX_REASONS:
                    reasons[why] = None
                elif why not in reasons:
                    more += 1
        if reasons:
            dropped.append(f"{where}: {'; '.join(reasons)}" + (f"; and {more} more" if more else ""))
    last: dict[str, int] = {}
    for k, (_, _, names, _) in enumerate(kept):
        for name in names:
            last[name] = k
    final = []
    seen_sources = set()
    for k, (cell_index, cell_first, names, text) in enumerate(kept):
        superseded = [n for n in names if last[n] != k]
        if names and len(superseded) == len(names):
            later = kept[last[names[0]]][0]
            notes.append(f"{names[0]} is defined again later ({label(origin, later)}); the definition in "
                         f"{label(origin, cell_index)} is not used")
            continue
        if not names and text in seen_sources:      # the same import twice
            continue
        seen_sources.add(text)
        final.append((cell_index, cell_first, names, text))
    kept_names = [f"{n} ({label(origin, i)})" for i, _, names, _ in final for n in names]
    source, starts = _module([text for _, _, _, text in final])
    segments = [Segment(start, start + text.count("\n"), cell_index, cell_first)
                for start, (cell_index, cell_first, _, text) in zip(starts, final)]
    return Conversion(source, tuple(kept_names), tuple(dropped), tuple(notes), tuple(segments), origin)


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
    for cell, _, code, _, _ in _python_cells(cells, origin, dropped, note):
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
    return Conversion(_module([runner])[0], tuple(label(origin, i) for i, _ in blocks), tuple(dropped),
                      origin=origin)


_HEADER = "# Code collected from a notebook's code cells.\n\n"


def _module(snippets: list[str]) -> tuple[str, list[int]]:
    """The module holding `snippets` (two blank lines apart), and the line each snippet starts on."""
    starts, line = [], _HEADER.count("\n") + 1
    for text in snippets:
        starts.append(line)
        line += text.count("\n") + 3
    return _HEADER + "\n\n\n".join(snippets) + "\n", starts
