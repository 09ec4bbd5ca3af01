"""Attack: code raises from a file named like a notebook cell, with a digit that is not ASCII.

The parent maps traceback frames in files named `notebook-cell-<n>.py` back
to notebook cells. `int()` accepts every Unicode digit, so a frame from
`notebook-cell-².py` used to reach `int('²')` in a pattern that matched it
and crashed the parent (a batch aborted at that student). Only ASCII digits
name a cell now; any other file is just a file, and the student gets an
ordinary crash report.
"""

from __future__ import annotations

from grader import api

from conftest import LINEAR_HEAD, needs, write_notebook

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")

SUPERSCRIPT = LINEAR_HEAD + '''    def forward(self, x):
        import os
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notebook-cell-\\u00b2.py")
        exec(compile("raise ValueError('from cell two')", path, "exec"))
'''


def test_is_a_superscript_cell_file_in_a_notebook_traceback_an_ordinary_crash(tmp_path):
    notebook = write_notebook(tmp_path / "fc.ipynb", [SUPERSCRIPT])
    report = api.grade(notebook, exercise="fc", timeout=5)
    forward = next(c for c in report.exercises[0].checks if c.id == "fc.forward")
    assert not forward.passed and "from cell two" in forward.message, forward.message
    assert "notebook-cell-\u00b2.py" in {f.file for f in forward.frames}


def test_is_a_superscript_cell_file_in_a_python_file_traceback_an_ordinary_crash(tmp_path):
    (tmp_path / "fc.py").write_text(SUPERSCRIPT)
    report = api.grade(tmp_path, exercise="fc", timeout=5)
    forward = next(c for c in report.exercises[0].checks if c.id == "fc.forward")
    assert not forward.passed and "from cell two" in forward.message, forward.message
