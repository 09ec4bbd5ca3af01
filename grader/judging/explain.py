"""Exceptions raised in student code, explained in the student's terms.

The parent knows only what the worker sent about an exception: its type, its
message and the student's own frames (file, line, source line), already
validated (`grader.judging.values.error_from_record`). From these, `hint_for` names
a few plain causes in one line, and never the fix:

- an attribute that is still None when a line reads it (`self.x` never
  stored by forward). Signals: a message naming NoneType ("'NoneType'
  object has no attribute 'T'", "unsupported operand type(s) for *:
  'NoneType' and 'float'"), or numpy's "Input operand 0 does not have
  enough dimensions (has 0, ...)" for `@`, which is what None (a 0-d object
  array to numpy) gives. The source line of the last frame names the
  candidates: the `self.<name>` it reads, narrowed to the operand the
  message points at when it can be told;
- a row (1, n) used where a column (n, 1) was meant, or the reverse: np.dot's
  "shapes (1,5) and (3,1) not aligned", matmul's "mismatch in its core
  dimension" and broadcasting's "could not be broadcast together" and
  "non-broadcastable output operand".

Everything here is pure: strings in, a string out ("" when nothing plain
can be said).
"""

from __future__ import annotations

import ast
import re

from grader.judging.values import StepError

#: The course's convention, said once wherever an orientation mix-up is suspected.
_CONVENTION = "In this course a vector is a column (n, 1) and a gradient with respect to it is a row (1, n)."

_MATMUL_DIMS = re.compile(r"matmul: Input operand (\d) does not have enough dimensions \(has 0")
_MATMUL_CORE = re.compile(r"matmul: Input operand 1 has a mismatch in its core dimension 0.*\(size (\d+) is "
                          r"different from (\d+)\)")
_DOT_SHAPES = re.compile(r"shapes \(([\d, ]*)\) and \(([\d, ]*)\) not aligned")
_BROADCAST = re.compile(r"operands could not be broadcast together with shapes ((?:\([\d, ]*\) ?)+)")
_OUTPUT_OPERAND = re.compile(r"non-broadcastable output operand with shape \(([\d, ]*)\) doesn't match the "
                             r"broadcast shape \(([\d, ]*)\)")
_SELF_ATTR = re.compile(r"\bself\.([A-Za-z_]\w*)\b(?!\s*\()")


def hint_for(err: StepError) -> str:
    """One line that names a plain cause of `err` in the student's terms, or ""."""
    if err.kind != "crashed" or not err.exc_type:
        return ""
    code = err.frames[-1].code if err.frames else ""
    message = err.message
    none = _none_hint(err.exc_type, message, code)
    if none:
        return none
    return _shape_hint(message)


# -- an attribute that is None ---------------------------------------------------------------------------------


def _none_hint(exc_type: str, message: str, code: str) -> str:
    dims = _MATMUL_DIMS.search(message)
    if "NoneType" not in message and not dims:
        return ""
    names = _none_candidates(message, code, operand=int(dims.group(1)) if dims else None)
    if dims and names:
        which = "left" if dims.group(1) == "0" else "right"
        return (f"The {which} operand of @ on this line, `self.{names[0]}`, has no dimensions: most likely it is "
                f"still None because no earlier call stored a value in it (or it holds a single number). Which "
                f"method is meant to set `self.{names[0]}`, and did it run before this one?")
    if dims:
        return ("An operand of @ on this line has no dimensions: most likely it is None (a value that was never "
                "stored, or a function without `return`), or a single number.")
    if len(names) == 1:
        return (f"`self.{names[0]}` is still None when this line runs: no earlier call stored a value in it. "
                f"Which method is meant to set `self.{names[0]}`, and did it run before this one?")
    if names:
        listed = ", ".join(f"`self.{n}`" for n in names)
        return (f"A value on this line is None: one of {listed} was never given a value by an earlier call "
                f"(or a function it uses has no `return`).")
    return ("A value on this line is None: an attribute that no earlier call stored, or a function without "
            "`return`, gives None.")


def _none_candidates(message: str, code: str, operand: int | None) -> list[str]:
    """The `self.<name>` attributes the line reads, narrowed to the operand the message points at when it can."""
    tree = _parse(code)
    if tree is None:
        return list(dict.fromkeys(_SELF_ATTR.findall(code)))
    reads = []
    for node in ast.walk(tree):
        name = _self_attr(node)
        if name is not None and not isinstance(node.ctx, ast.Store):
            reads.append(name)
        if isinstance(node, ast.AugAssign):
            target = _self_attr(node.target)
            if target is not None:
                reads.append(target)
    called = {_self_attr(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    reads = [r for r in dict.fromkeys(reads) if r not in called]
    narrowed: list[str] = []
    attr = re.search(r"'NoneType' object has no attribute '(\w+)'", message)
    first = re.search(r"for [^:]+: 'NoneType' and|between instances of 'NoneType' and", message)
    second = re.search(r"for [^:]+: '\w+' and 'NoneType'|between instances of '\w+' and 'NoneType'", message)
    for node in ast.walk(tree):
        if attr and isinstance(node, ast.Attribute) and node.attr == attr.group(1):
            narrowed.append(_self_attr(_strip_t(node.value)))
        elif isinstance(node, ast.BinOp) and (operand is not None or first or second) and \
                (operand is None or isinstance(node.op, ast.MatMult)):
            side = node.left if (operand == 0 or (operand is None and first)) else node.right
            narrowed.append(_self_attr(_strip_t(side)))
        elif isinstance(node, ast.Compare) and (first or second):
            narrowed.append(_self_attr(_strip_t(node.left if first else node.comparators[0])))
    narrowed = [n for n in dict.fromkeys(narrowed) if n is not None]
    if len(narrowed) == 1:
        return narrowed
    return reads if operand is None else narrowed


def _parse(code: str) -> ast.AST | None:
    text = code.strip()
    for candidate in (text, text.rstrip(":") + ": pass" if text.endswith(":") else None):
        if candidate:
            try:
                return ast.parse(candidate)
            except (SyntaxError, ValueError):
                continue
    return None


def _strip_t(node: ast.AST) -> ast.AST:
    """`self.x.T` → `self.x`: a transpose of None is still the None."""
    while isinstance(node, ast.Attribute) and node.attr == "T":
        node = node.value
    return node


def _self_attr(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return node.attr
    return None


# -- rows and columns ------------------------------------------------------------------------------------------


def _shape(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.replace(" ", "").split(",") if p)


def _words(shape: tuple[int, ...]) -> str:
    shown = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
    if len(shape) == 2 and shape[0] == 1 and shape[1] != 1:
        return f"a row {shown}"
    if len(shape) == 2 and shape[1] == 1 and shape[0] != 1:
        return f"a column {shown}"
    return shown


def _shape_hint(message: str) -> str:
    m = _DOT_SHAPES.search(message)
    if m:
        a, b = _shape(m.group(1)), _shape(m.group(2))
        return (f"In A @ B (or np.dot) the columns of A must match the rows of B; here A is {_words(a)} and B is "
                f"{_words(b)}. A row used where a column was meant, or the reverse, gives this. {_CONVENTION}")
    m = _MATMUL_CORE.search(message)
    if m:
        rows_b, cols_a = m.group(1), m.group(2)
        return (f"In A @ B the number of columns of A ({cols_a}) must equal the number of rows of B ({rows_b}). "
                f"A row (1, n) used where a column (n, 1) was meant, or the reverse, gives this. {_CONVENTION}")
    m = _OUTPUT_OPERAND.search(message)
    if m:
        into, full = _shape(m.group(1)), _shape(m.group(2))
        return (f"An in-place update (such as +=) into {_words(into)} received something that broadcasts to "
                f"{_words(full)}: combining a row with a column makes a matrix. Check whether each operand on "
                f"this line is a row or a column. {_CONVENTION}")
    m = _BROADCAST.search(message)
    if m:
        shapes = [_words(_shape(s)) for s in re.findall(r"\(([\d, ]*)\)", m.group(1))]
        return (f"An elementwise operation got shapes that do not fit together ({' and '.join(shapes)}). Check "
                f"whether each operand on this line is a row or a column. {_CONVENTION}")
    return ""


def cause_of(err: StepError, words: str, what: str = "") -> str:
    """The root cause of a failed step, worded so that every check it cost gets the same text.

    Crashes are named by exception and the line of the student's file that
    raised (not by the call that led there, which differs between checks); a
    call that did not finish in time by that call (the steps it kept from
    running, `not_run` and `lost`, name it in their message); a dead worker
    by what stopped it; a missing name or a stub by `words`, the check's own
    sentence about it. what: the failed call in the student's terms.
    """
    where = ""
    if err.frames:
        last = err.frames[-1]
        where = f" ({last.file}, line {last.line})"
    if err.kind in ("crashed", "memory", "recursion", "exit", "interrupt", "forbidden"):
        return f"your code raised {err.headline() or err.kind}{where}"
    if err.kind in ("timeout", "not_run", "lost"):
        hung = re.match(r"(.+?) did not finish", err.message) if err.kind != "timeout" else None
        call = hung.group(1) if hung else what if err.kind == "timeout" else ""
        return f"{call} did not finish within the time limit" if call else "your code did not finish in time"
    if err.kind == "died":
        return f"the process running your code stopped: {err.message}"
    return words
