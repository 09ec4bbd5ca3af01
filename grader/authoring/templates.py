"""Student stubs from reference solutions.

In reference/<id>.py, solution code sits between lines that hold only

    ### BEGIN SOLUTION
    ...
    ### END SOLUTION

(the markers nbgrader uses). `make_stub` replaces each block by
`raise NotImplementedError("<Class.method>")` at the block's indentation and
keeps everything else: imports, docstrings, signatures and shapes. Blocks
must sit inside a function, must not nest, and must be closed.
"""

from __future__ import annotations

import ast

from grader.errors import BuildError

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"


def _function_spans(tree: ast.AST) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function, innermost last."""
    spans: list[tuple[int, int, str]] = []
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                spans.append((child.lineno, child.end_lineno or child.lineno, name))
                stack.append((child, name + "."))
            elif isinstance(child, ast.ClassDef):
                stack.append((child, f"{prefix}{child.name}."))
            else:
                stack.append((child, prefix))
    return spans


def _enclosing(spans: list[tuple[int, int, str]], line: int) -> str | None:
    best = None
    for first, last, name in spans:
        if first <= line <= last and (best is None or first >= best[0]):
            best = (first, name)
    return best[1] if best else None


def make_stub(source: str, origin: str) -> str:
    """The student template for one reference file (see the module docstring)."""
    try:
        tree = ast.parse(source, filename=origin)
    except SyntaxError as exc:
        raise BuildError(f"{origin} is not valid Python: {exc.msg} (line {exc.lineno})") from None
    spans = _function_spans(tree)
    out: list[str] = []
    inside_since: int | None = None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if inside_since is not None:
                raise BuildError(f"{origin}:{number}: a solution block starts inside another "
                                 f"(the one opened on line {inside_since})")
            where = _enclosing(spans, number)
            if where is None:
                raise BuildError(f"{origin}:{number}: solution blocks must sit inside a function")
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f'{indent}raise NotImplementedError("{where}")\n')
            inside_since = number
        elif marker == END:
            if inside_since is None:
                raise BuildError(f"{origin}:{number}: {END} without a matching {BEGIN}")
            inside_since = None
        elif inside_since is None:
            out.append(line)
    if inside_since is not None:
        raise BuildError(f"{origin}:{inside_since}: the solution block is never closed with {END}")
    stub = "".join(out)
    try:
        ast.parse(stub, filename=origin)
    except SyntaxError as exc:  # pragma: no cover - the markers above keep the structure intact
        raise BuildError(f"the template made from {origin} is not valid Python: {exc.msg}") from None
    return stub


def count_blocks(source: str) -> int:
    """Number of solution blocks in a reference file."""
    return sum(1 for line in source.splitlines() if line.strip() == BEGIN)
