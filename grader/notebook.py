"""Checking an exercise from inside Jupyter: `from grader.notebook import check; check("fc")`.

`check` grades the code the student has defined in the running kernel,
through the same pipeline as `grade`: the code is written to a module in a
temporary folder, the student's classes run in a sandboxed worker process,
and every verdict is computed here, in the kernel's process. So the check
cell and the official grade cannot disagree on the same code.

Where the code comes from: the kernel's input history (IPython's
`history_manager.input_hist_raw`), in execution order. That is what the
kernel actually ran, it needs no notebook file on disk (an unsaved
notebook works), and every front end has it: JupyterLab, classic
Notebook, VS Code. The history is filtered exactly like a submitted
notebook (`grader.conversion.definitions`): only imports, `def`, `class`
and literal constants are kept, the last run of a definition wins, and
calls, prints, loops, magics and the grader's own imports are left out.
The report says which definitions were collected and from which input
(`In [n]`).

Nothing machine-readable is printed; the rendered report goes to the
notebook through rich, which draws HTML in Jupyter and text elsewhere. The
lines `check` prints itself go through `grader.neutral` (`one_line` for the
one-line error, `visible` for the rest) and are never read as rich markup.
`check` returns None, so the cell shows only the report.
`grade_code` is the Python-API twin that returns the Report.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from grader.conversion import Cell, Conversion, definitions
from grader.errors import GraderError, UsageError
from grader.neutral import one_line, visible
from grader.results import Report
from grader.submission import Prepared

DEFAULT_TIMEOUT = 10.0


def kernel_cells() -> list[Cell]:
    """The inputs run so far in this IPython kernel, oldest first, without the running one.

    Raises UsageError outside IPython/Jupyter.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        shell = None
    else:
        shell = get_ipython()
    if shell is None or getattr(shell, "history_manager", None) is None:
        raise UsageError("check() reads the code you ran in a Jupyter notebook, but no notebook kernel is "
                         "running here; outside Jupyter, save your code as a .py file and run `grade FILE`")
    raw = list(shell.history_manager.input_hist_raw)
    # In[0] is an empty placeholder and the last input is the cell running check() itself.
    inputs = raw[1:-1] if len(raw) > 1 else []
    return [Cell(n, text) for n, text in enumerate(inputs, start=1) if isinstance(text, str) and text.strip()]


def grade_code(exercise_id: str, cells: list[Cell], *, timeout: float = DEFAULT_TIMEOUT, mode: str = "auto",
               course: str | os.PathLike | None = None, salt: str = "", origin: str = "In",
               allow_root: bool = False) -> tuple[Report, Conversion]:
    """Grade the definitions found in `cells` as exercise `exercise_id`; returns (report, what was kept).

    cells: code in run order (later definitions win). Raises GraderError
    subclasses for unknown exercises or code that defines nothing, and
    PrivilegeError in a kernel running as root whose workers cannot drop
    root (unless allow_root).
    """
    from grader import api
    from grader.course import find_course

    c = find_course(course)
    ex = c.exercise(exercise_id)          # a UsageError naming the known ids if wrong
    conv = definitions(cells, origin=origin)
    if not conv.kept:
        raise UsageError("none of the code you ran defines anything to grade yet: run the cells holding your "
                         f"{', '.join(sorted(ex.entry_names))} first, then this cell again")
    with tempfile.TemporaryDirectory(prefix="grade-kernel-") as work:
        module = Path(work) / ex.file
        module.write_text(conv.source, encoding="utf-8")
        prepared = Prepared({ex.id: module}, locators=(conv.locator(module.name),), names={ex.id: "this notebook"})
        report = api.grade_prepared(prepared, label=f"the code run in this notebook ({ex.id})", timeout=timeout,
                                    mode=mode, course=c.root, salt=salt, allow_root=allow_root)
    return report, conv


def _collected_lines(conv: Conversion) -> list[str]:
    lines = []
    if conv.kept:
        lines.append("Collected from the code you ran: " + ", ".join(conv.kept))
    lines += list(conv.notes)
    if conv.dropped:
        lines.append(f"Left out {len(conv.dropped)} input(s) that are not definitions (calls, prints, loops, "
                     f"magics); they are not graded.")
    return lines


def check(exercise_id: str, *, timeout: float = DEFAULT_TIMEOUT, mode: str = "auto",
          course: str | os.PathLike | None = None, console=None, allow_root: bool = False) -> None:
    """Grade this kernel's definitions for `exercise_id` and show the report in the notebook.

    Problems (no kernel, unknown exercise, nothing defined yet) are shown as
    one line, never as a traceback from the grader.
    """
    from rich.console import Console
    from rich.text import Text

    from grader.report import render

    console = console or Console()
    try:
        report, conv = grade_code(exercise_id, kernel_cells(), timeout=timeout, mode=mode, course=course,
                                  allow_root=allow_root)
    except GraderError as exc:
        line = Text(one_line(f"Cannot check {exercise_id!r}:"), style="bold red")
        line.append(" " + one_line(exc.message))
        console.print(line, highlight=False)
        return None
    for line in _collected_lines(conv):
        console.print(Text(visible(line), style="dim"), highlight=False)
    render(report, console)
    return None
