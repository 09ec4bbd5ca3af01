"""Checking an exercise from inside Jupyter: `from grader.submissions.notebook import check; check("fc")`.

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
notebook (`grader.submissions.conversion.definitions`, whose docstring states the
rule): imports, `def`, `class` and assignments whose value runs none of
the student's code (constants, lambdas, aliases, `np.finfo(float).eps`)
are kept, the last run of a definition wins, and calls, prints, loops,
magics and the grader's own imports are left out. IPython syntax is read
by IPython's own transformer, as in the kernel. The report says which
definitions were collected and from which input (`In [n]`), and names
each input left out with the reason.

How the report is shown: in a Jupyter kernel (any front end talking to
ipykernel), `check` makes ONE display call, so the cell gets one output
block. Its bundle holds `text/html`, the fragment of `grader.outputs.report_html`
(fluid width, failing checks and notes collapsed), and `text/plain`, the
rich text report without colour, for front ends that do not draw HTML.
What was collected goes in the report's notes; a definition run several
times gives one line, not one per run. Outside a kernel (a terminal,
terminal IPython), or when a rich `console` is passed, the rich report is
printed as `grade` prints it. Text from the student's code is escaped by
`grader.outputs.neutral` everywhere (`one_line` for the one-line error, `visible`
or `html` for the rest) and never read as markup. `check` returns None, so
the cell shows only the report.
`grade_code` is the Python-API twin that returns the Report.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

from grader.submissions.conversion import MAX_LISTED, Cell, Conversion, definitions
from grader.errors import GraderError, UsageError
from grader.outputs.neutral import one_line, visible
from grader.outputs.results import Report
from grader.submissions.submission import Prepared

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
    from grader.authoring.course import find_course

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


#: The note grader.submissions.conversion.definitions writes for each earlier run of a definition.
_SUPERSEDED = re.compile(r"(?P<name>.+) is defined again later \((?P<last>[^()]*)\); "
                         r"the definition in (?P<old>[^()]*) is not used")

#: At most this many earlier runs are named in the one line about a definition run several times.
_RUNS_NAMED = 5


def _collected_lines(conv: Conversion) -> list[str]:
    """What was collected from the kernel, for the report's notes.

    Each re-run of a cell adds one earlier definition to the history, and
    the conversion notes each one. Here they become one line per
    definition, however often it was run, so the notes do not grow with
    every re-run.
    """
    lines = []
    if conv.kept:
        lines.append("Collected from the code you ran: " + ", ".join(conv.kept))
    earlier: dict[tuple[str, str], list[str]] = {}
    for note in conv.notes:
        match = _SUPERSEDED.fullmatch(note)
        if match is None:
            lines.append(note)
        else:
            earlier.setdefault((match["name"], match["last"]), []).append(match["old"])
    for (name, last), runs in earlier.items():
        runs = list(dict.fromkeys(runs))
        named = ", ".join(runs[-_RUNS_NAMED:]) + (f" and {len(runs) - _RUNS_NAMED} more" if len(runs) > _RUNS_NAMED
                                                    else "")
        lines.append(f"{name} was run {len(runs) + 1} times: only the last run, {last}, is graded "
                     f"(earlier runs not used: {named})")
    # Each dropped input with its reason ("In [3]: an assignment that calls Linear, your own code: m = Linear()").
    lines += [f"Left out {why}" for why in conv.dropped[:MAX_LISTED]]
    if len(conv.dropped) > MAX_LISTED:
        lines.append(f"Left out {len(conv.dropped) - MAX_LISTED} more input(s)")
    return lines


def _kernel_display():
    """IPython's display function when this runs in a Jupyter kernel, else None (a terminal, terminal IPython)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    return display


def _plain(draw) -> str:
    """What draw(console) prints on a colourless 100-column rich console, as text."""
    from rich.console import Console

    out = io.StringIO()
    draw(Console(file=out, width=100, color_system=None, force_terminal=False, force_jupyter=False,
                 highlight=False))
    return out.getvalue()


def check(exercise_id: str, *, timeout: float = DEFAULT_TIMEOUT, mode: str = "auto",
          course: str | os.PathLike | None = None, console=None, allow_root: bool = False) -> None:
    """Grade this kernel's definitions for `exercise_id` and show the report in the notebook.

    In a Jupyter kernel the report is one HTML output (with a text twin);
    elsewhere, or when `console` (a rich Console) is given, the rich report
    is printed. Problems (no kernel, unknown exercise, nothing defined yet)
    are shown as one line, never as a traceback from the grader.
    """
    from rich.console import Console
    from rich.text import Text

    from grader.outputs.report import render
    from grader.outputs.report_html import problem_html, render_html

    display = _kernel_display() if console is None else None
    try:
        report, conv = grade_code(exercise_id, kernel_cells(), timeout=timeout, mode=mode, course=course,
                                  allow_root=allow_root)
    except GraderError as exc:
        heading = one_line(f"Cannot check {exercise_id!r}:")
        line = Text(heading, style="bold red")
        line.append(" " + one_line(exc.message))
        if display is not None:
            display({"text/html": problem_html(heading, one_line(exc.message)), "text/plain": line.plain}, raw=True)
        else:
            (console or Console()).print(line, highlight=False)
        return None
    lines = _collected_lines(conv)

    def draw(target) -> None:
        for line in lines:
            target.print(Text(visible(line), style="dim"), highlight=False)
        render(report, target)

    if display is not None:
        display({"text/html": render_html(report, notes=lines), "text/plain": _plain(draw)}, raw=True)
    else:
        draw(console or Console())
    return None
