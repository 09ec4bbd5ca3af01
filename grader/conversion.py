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
parent with size and structure limits; any defect is a SubmissionError with
a one-line reason. IPython syntax is turned into Python by nbconvert's
`ipython2python` filter, and the module is written by nbconvert's
PythonExporter.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

from grader.errors import SubmissionError

#: Largest notebook accepted, in bytes.
MAX_NOTEBOOK_BYTES = 20 << 20
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
            if file.startswith(_CELL_FILE_PREFIX) and file.endswith(".py") and file[len(_CELL_FILE_PREFIX):-3].isdigit():
                return label(self.origin, int(file[len(_CELL_FILE_PREFIX):-3])), line
            return None
        return locate

    def summary(self) -> tuple[str, ...]:
        """Lines for the report."""
        out = []
        if self.kept:
            out.append("kept: " + ", ".join(self.kept))
        out += [f"dropped {d}" for d in self.dropped]
        out += list(self.notes)
        return tuple(out)


def read_notebook(path: str | Path) -> list[Cell]:
    """The code cells of a notebook file, checked for the defects students' files have."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise SubmissionError(f"cannot read {p}: {exc.strerror or exc}") from None
    if size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{p.name} is {size >> 20} MiB; notebooks over {MAX_NOTEBOOK_BYTES >> 20} MiB are not "
                              f"accepted (clear the outputs and save it again)")
    try:
        doc = json.loads(p.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise SubmissionError(f"{p.name} is not a valid notebook: its JSON does not parse "
                              f"({str(exc) or type(exc).__name__})") from None
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
    cells = []
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
        tags = cell.get("metadata", {}).get("tags", []) if isinstance(cell.get("metadata"), dict) else []
        cells.append(Cell(i + 1, source, tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else ()))
    if not cells:
        raise SubmissionError(f"{p.name} has no code cells")
    return cells


def _to_python(source: str) -> tuple[str, list[str]]:
    """IPython syntax to Python; returns the code and the magics/escapes found."""
    found = []
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "", [f"cell magic {lines[0].strip().split()[0]}"]
    for line in lines:
        s = line.lstrip()
        if s.startswith("%"):
            found.append(f"magic {s.split()[0]}")
        elif s.startswith("!"):
            found.append(f"shell escape {s[:40]}")
    try:
        from nbconvert.filters import ipython2python
        code = ipython2python(source)
    except Exception:  # noqa: BLE001 - nbconvert or IPython unavailable: fall back below
        code = source
    try:
        ast.parse(code)
    except SyntaxError:
        # Without IPython the magics stay as they are: turn them into `pass` ourselves.
        code = _pass_lines(source, lambda ln: ln.lstrip().startswith(("%", "!")))
    return code, found


def _is_literal(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return False


def _names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    return []


def _why_dropped(stmt: ast.stmt, code: str) -> str | None:
    """None if the statement is a definition to keep, else a short reason."""
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
    segment = (ast.get_source_segment(code, stmt) or type(stmt).__name__).strip().splitlines()[0]
    if "get_ipython()" in segment:
        return "an IPython magic"
    kind = {ast.For: "a loop", ast.While: "a loop", ast.If: "an if block", ast.With: "a with block",
            ast.Try: "a try block"}.get(type(stmt), "a statement")
    return f"{kind}: {segment[:60]}"


def _segment(code: str, stmt: ast.stmt) -> tuple[int, str]:
    """The statement's first line (decorators included) and its text."""
    lines = code.splitlines()
    first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
    return first, "\n".join(lines[first - 1:stmt.end_lineno])


def _python_cells(cells: list[Cell], origin: str, dropped: list[str], magic_note: str = ""):
    """Yield (cell, its label, its code as Python, whether it had magics); skipped cells go to `dropped`."""
    for cell in cells:
        where = label(origin, cell.index)
        if SKIP_TAG in cell.tags:
            dropped.append(f"{where}: tagged {SKIP_TAG}")
            continue
        code, magics = _to_python(cell.source)
        if magics:
            dropped.append(f"{where}: {', '.join(magics[:3])}{magic_note}")
            code = _without_magics(code)
        yield cell, where, code, bool(magics)


def _without_magics(code: str) -> str:
    """Each converted magic or shell-escape line becomes `pass`, keeping indentation and line numbers.

    A magic inside a function body (say `%time` in a method) would otherwise
    be kept as a get_ipython() call and fail in the worker, where there is no
    IPython.
    """
    return _pass_lines(code, lambda ln: "get_ipython()" in ln)


def _pass_lines(code: str, chosen) -> str:
    """`code` with every line for which chosen(line) holds replaced by `pass` at the same indentation."""
    return "\n".join(ln[:len(ln) - len(ln.lstrip())] + "pass" if chosen(ln) else ln for ln in code.splitlines())


def definitions(cells: list[Cell], *, origin: str = "cell") -> Conversion:
    """The definitions-only module (see the module docstring)."""
    kept: list[tuple[int, int, list[str], str]] = []   # (cell, first line in the cell, names, text)
    dropped: list[str] = []
    notes: list[str] = []
    for cell, where, code, magics in _python_cells(cells, origin, dropped):
        try:
            tree = ast.parse(code)
        except SyntaxError as exc:
            dropped.append(f"{where}: it does not parse ({exc.msg}, line {exc.lineno})")
            continue
        reasons = []
        for stmt in tree.body:
            why = _why_dropped(stmt, code)
            if why is None:
                first, text = _segment(code, stmt)
                kept.append((cell.index, first, _names(stmt), text))
            elif why and ("IPython magic" not in why or not magics):
                reasons.append(why)
        if reasons:
            dropped.append(f"{where}: {'; '.join(dict.fromkeys(reasons))}")
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
    source = _export([text for _, _, _, text in final])
    segments, pos = [], 0
    for cell_index, cell_first, _, text in final:
        at = source.find(text, pos)
        if at < 0:
            continue
        first = source.count("\n", 0, at) + 1
        segments.append(Segment(first, first + text.count("\n"), cell_index, cell_first))
        pos = at + len(text)
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
    return Conversion(_export([runner]), tuple(label(origin, i) for i, _ in blocks), tuple(dropped),
                      origin=origin)


def _export(snippets: list[str]) -> str:
    """Write the module with nbconvert's Python exporter (one cell per snippet)."""
    try:
        from nbconvert import PythonExporter
        from nbformat.v4 import new_code_cell, new_notebook
    except ImportError:  # pragma: no cover - nbconvert is a dependency
        return "\n\n".join(snippets) + "\n"
    nb = new_notebook(cells=[new_code_cell(s, id=f"c{k}") for k, s in enumerate(snippets)],
                      metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    source, _ = PythonExporter().from_notebook_node(nb)
    return source
