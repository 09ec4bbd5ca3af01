"""Attack: terminal control sequences in what a submission raises, prints, names and writes.

A submission's exception messages, printed lines, class names, source lines
(traceback frames) and notebook cells hold a window-title change (OSC 0), a
screen clear (CSI 2J), a fake green "passed" line (SGR colours), an OSC 8
hyperlink, a carriage return that overwrites what came before, a C1 CSI
(U+009B, one byte) and a right-to-left override ("Trojan Source"). Does any of
them reach the TA's terminal, the `grade` command's output or the batch's
.txt reports as the raw character, and are they shown as visible escapes
(`\\x1b`, `\\r`, `\\u202e`) instead?
"""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from grader import api
from grader.cli import main
from grader.outputs.report import render

from conftest import needs

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")

#: The attack, as Python source for a string literal (so the file itself holds only printable text).
PAYLOAD_SOURCE = ('"\\x1b]0;pwned\\x07 \\x1b[2J \\x1b[32mPASSED\\x1b[0m '
                  '\\x1b]8;;http://evil.example/\\x1b\\\\link\\x1b]8;;\\x1b\\\\ '
                  '\\x9b31m \\rOVERWRITE \\u202eevil\\u202c"')

#: What must never reach a rendered report, raw.
RAW = {"OSC 0 (window title)": "\x1b]0;", "CSI 2J (clear screen)": "\x1b[2J", "SGR from the student": "\x1b[32mPASSED",
       "OSC 8 (hyperlink)": "\x1b]8;;http://evil", "C1 CSI": "\x9b", "carriage return": "\r", "BEL": "\x07",
       "right-to-left override": "\u202e", "pop directional formatting": "\u202c"}

#: What must be seen instead (each short enough never to be split by wrapping).
SHOWN = ["\\x1b]0;pwned\\x07", "\\x1b[2J", "\\x1b[32mPASSED\\x1b[0m", "\\x9b31m", "\\rOVERWRITE", "\\u202eevil\\u202c"]

#: fc.py that prints the payload and fails to import with it.
LOAD_FAILURE = f"""
PAYLOAD = {PAYLOAD_SOURCE}
print(PAYLOAD)
raise ValueError(PAYLOAD)
"""

#: fc.py whose methods raise the payload, return an object of a class named with it, and have a source line
#: (shown in the traceback) holding a raw right-to-left override in a comment.
METHOD_FAILURE = f"""
import numpy as np

PAYLOAD = {PAYLOAD_SOURCE}


class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        print(PAYLOAD)
        raise ValueError(PAYLOAD)  # \u202e}}{{ reversed comment \u202c

    def backward(self, dz):
        return type(PAYLOAD, (), {{}})()

    def jacobian(self):
        raise RuntimeError(PAYLOAD)
"""


def consoles():
    """The two pinned consoles: plain text (as the .txt reports) and a truecolor terminal."""
    return {
        "text": Console(file=io.StringIO(), width=100, color_system=None, force_terminal=False),
        "terminal": Console(file=io.StringIO(), width=100, force_terminal=True, color_system="truecolor"),
    }


def submission(tmp_path, name: str, source: str):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "fc.py").write_text(source, encoding="utf-8")
    return folder


def notebook(tmp_path):
    """fc.ipynb: a cell of real definitions, and a dropped cell whose source holds the raw characters."""
    cells = [{"cell_type": "code", "id": "c0", "metadata": {}, "outputs": [], "execution_count": None,
              "source": METHOD_FAILURE},
             {"cell_type": "code", "id": "c1", "metadata": {}, "outputs": [], "execution_count": None,
              "source": "print('\x1b[2J\x1b]0;pwned\x07 \x9b31m \u202eevil\u202c')"}]
    doc = {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
           "metadata": {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}}
    path = tmp_path / "fc.ipynb"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def assert_neutralised(text: str, shown=SHOWN):
    leaked = [name for name, raw in RAW.items() if raw in text]
    assert not leaked, f"raw control characters reached the output: {leaked}"
    missing = [s for s in shown if s not in text]
    assert not missing, f"not shown as visible escapes: {missing}"


@pytest.mark.parametrize("kind", ["text", "terminal"])
@pytest.mark.parametrize("source", [LOAD_FAILURE, METHOD_FAILURE], ids=["load_failure", "method_failure"])
def test_does_the_rendered_report_show_the_sequences_only_as_escapes(tmp_path, kind, source):
    report = api.grade(submission(tmp_path, "attacker", source), exercise="fc", timeout=5)
    console = consoles()[kind]
    render(report, console)
    assert_neutralised(console.file.getvalue())


def test_does_a_class_name_and_a_source_line_from_the_worker_reach_the_report_only_as_escapes(tmp_path):
    report = api.grade(submission(tmp_path, "attacker", METHOD_FAILURE), exercise="fc", timeout=5)
    console = consoles()["text"]
    render(report, console)
    text = console.file.getvalue()
    assert "an object of type" in text            # the class named with the payload is described...
    assert "reversed comment" in text             # ...and the traceback shows the commented source line
    assert_neutralised(text, shown=["\\u202e}{ reversed comment \\u202c", "\\x1b[2J"])


@pytest.mark.parametrize("kind", ["text", "terminal"])
def test_do_notebook_notes_reach_the_report_only_as_escapes(tmp_path, kind):
    report = api.grade(notebook(tmp_path), timeout=5)
    console = consoles()[kind]
    render(report, console)
    text = console.file.getvalue()
    assert "dropped" in text
    assert_neutralised(text, shown=["\\x1b[2J\\x1b]0;pwned\\x07", "\\u202eevil\\u202c"])


def test_does_the_grade_command_print_the_sequences_only_as_escapes(tmp_path, capsys):
    folder = submission(tmp_path, "attacker", LOAD_FAILURE)
    assert main([str(folder), "--exercise", "fc", "--timeout", "5"]) == 1
    captured = capsys.readouterr()
    assert_neutralised(captured.out)
    assert not [name for name, raw in RAW.items() if raw in captured.err]


def test_does_the_batch_txt_report_hold_the_sequences_only_as_escapes(tmp_path):
    entries = tmp_path / "entries"
    entries.mkdir()
    submission(entries, "student_a", LOAD_FAILURE)
    out = tmp_path / "out"
    api.batch(entries, out=out, jobs=1, timeout=5)
    assert_neutralised((out / "student_a.txt").read_text(encoding="utf-8"))
