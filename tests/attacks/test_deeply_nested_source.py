"""Attack: source nested so deeply that parsing it exhausts the parser (a .py, a notebook cell).

The parent parses submissions to find what they define (a single file in a
batch, every notebook cell). An expression nested 50,000 to 100,000 levels
deep used to raise RecursionError or MemoryError there, out of the grader,
aborting a batch at that student. Now a .py that cannot be compiled is that
file's import error, and a notebook cell that cannot be parsed is dropped
with the reason while the other cells are kept.
"""

from __future__ import annotations

import json

from grader import api

from conftest import LINEAR_HEAD, needs, write_notebook

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")
NEGATIONS = "x = " + "-" * 100000 + "1"
PARENTHESES = "x = " + "(" * 50000 + "1" + ")" * 50000


def test_is_a_deeply_nested_python_file_an_import_error_of_that_exercise(tmp_path):
    (tmp_path / "fc.py").write_text(NEGATIONS + "\n" + LINEAR_HEAD)
    report = api.grade(tmp_path, exercise="fc", timeout=5)
    fc = report.exercises[0]
    assert fc.status == "error" and fc.score == 0 and "could not be imported" in fc.message, fc.message


def test_are_deeply_nested_notebook_cells_dropped_with_the_reason(tmp_path):
    for k, nested in enumerate((NEGATIONS, PARENTHESES)):
        notebook = write_notebook(tmp_path / str(k) / "fc.ipynb", [nested, LINEAR_HEAD])
        report = api.grade(notebook, timeout=5)
        notes = " ".join(report.notes)
        assert "kept: Linear (cell 2)" in notes and "dropped cell 1: it does not parse" in notes, notes


def test_does_a_batch_grade_a_deeply_nested_single_file_as_that_students_error(tmp_path):
    subs, out = tmp_path / "class", tmp_path / "out"
    subs.mkdir()
    (subs / "nested.py").write_text(NEGATIONS + "\n" + LINEAR_HEAD)
    write_notebook(subs / "nested_nb.ipynb", [PARENTHESES, LINEAR_HEAD])
    result = api.batch(subs, out=out, jobs=1, timeout=5)
    assert result.students == 2
    summary = json.loads((out / "summary.json").read_text())
    reasons = {row["student"]: row["reason"] for row in summary["not_graded"]}
    assert set(reasons) == {"nested"} and "could not be imported" in reasons["nested"], reasons
    notebook = json.loads((out / f"{summary['files']['nested_nb']}.json").read_text())
    assert any("dropped cell 1: it does not parse" in note for note in notebook["notes"]), notebook["notes"]
