"""Questions about checking from inside Jupyter (grader.notebook).

The generated exercise notebooks are executed end to end with nbclient and
a real ipykernel: once as handed out (stubs) and once with the reference
solution pasted over the stubs.
"""

from __future__ import annotations

import io
import json
import re
import sys

import nbformat
import pytest
from rich.console import Console

from conftest import EXERCISE_FILES, ROOT, reference_source, verdicts
from grader import api
from grader.conversion import SKIP_TAG, Cell
from grader.course import find_course
from grader.notebook import check, grade_code

IDS = sorted(EXERCISE_FILES)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
KERNEL = "grade-test-python"


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory, monkeypatch_module):
    """A kernelspec for this interpreter in a private JUPYTER_PATH, so a user's own `python3` is never used."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "grade tests", "language": "python"}))
    monkeypatch_module.setenv("JUPYTER_PATH", str(root))
    monkeypatch_module.setenv("JUPYTER_PLATFORM_DIRS", "1")
    return root


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def execute(nb, workdir) -> str:
    """Run every cell (stopping at an error) and return the check cell's text/plain output, without colour."""
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=120, kernel_name=KERNEL, resources={"metadata": {"path": str(workdir)}}).execute()
    check_cell = nb.cells[-1]
    assert check_cell.source.startswith("from grader.notebook import check")
    texts = []
    for out in check_cell.outputs:
        assert out.output_type != "error", "\n".join(out.get("traceback", []))
        texts.append(out.get("text") or out.get("data", {}).get("text/plain", ""))
    return ANSI.sub("", "".join(texts))


def handout(ex_id):
    return nbformat.read(str(ROOT / "exercises" / ex_id / f"{ex_id}.ipynb"), as_version=4)


def total_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith("│ total"))


@pytest.mark.parametrize("ex_id", IDS)
def test_does_the_check_cell_of_the_untouched_notebook_report_not_implemented(ex_id, kernel_env, tmp_path):
    text = execute(handout(ex_id), tmp_path)
    points = find_course().exercise(ex_id).max_score
    assert "still raises NotImplementedError" in text
    assert re.search(rf"\b0/{points:g}\b", total_line(text)), text


@pytest.mark.parametrize("ex_id", IDS)
def test_does_the_check_cell_give_full_marks_with_the_reference_pasted_in(ex_id, kernel_env, tmp_path):
    nb = handout(ex_id)
    stub_cells = [i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and SKIP_TAG not in c.metadata.get("tags", [])]
    nb.cells[stub_cells[0]].source = reference_source(ex_id)
    for i in reversed(stub_cells[1:]):
        del nb.cells[i]
    text = execute(nb, tmp_path)
    points = find_course().exercise(ex_id).max_score
    assert re.search(rf"\b{points:g}/{points:g}\b", total_line(text)), text
    assert "Collected from the code you ran:" in text and "✗" not in text


def test_does_grading_kernel_code_give_the_same_verdicts_as_grading_the_file(tmp_path):
    buggy = (ROOT / "tests/corpus/logistic/buggy/crash_float_of_wTx.py").read_text()
    module = tmp_path / "logistic.py"
    module.write_text(buggy)
    report, conv = grade_code("logistic", [Cell(1, buggy), Cell(2, "print('trying it')")])
    assert verdicts(report) == verdicts(api.grade(module))
    frames = [f for e in report.exercises for c in e.checks for f in c.frames]
    assert frames and {f.file for f in frames} == {"In [1]"}
    assert not report.all_passed and conv.dropped == ("In [2]: a statement: print('trying it')",)


def test_does_the_last_run_of_a_class_count_in_the_kernel():
    good = reference_source("relu")
    broken = (ROOT / "tests/corpus/relu/buggy/mask_inverted.py").read_text()
    assert grade_code("relu", [Cell(1, broken), Cell(2, good)])[0].all_passed
    report, conv = grade_code("relu", [Cell(1, good), Cell(2, broken)])
    assert not report.all_passed
    assert any("the definition in In [1] is not used" in n for n in conv.notes)


def _text_console():
    return Console(file=io.StringIO(), record=True, width=400, force_terminal=False, color_system=None,
                   force_jupyter=False)


def test_does_check_outside_jupyter_say_so_in_one_line_without_a_traceback():
    console = _text_console()
    assert check("relu", console=console) is None
    out = console.export_text()
    assert out.count("\n") == 1 and "no notebook kernel is running here" in out


def test_is_an_unknown_exercise_in_check_reported_in_one_line(monkeypatch):
    monkeypatch.setattr("grader.notebook.kernel_cells", lambda: [Cell(1, "x = 1")])
    console = _text_console()
    check("fully_connected", console=console)
    out = console.export_text()
    assert out.startswith("Cannot check 'fully_connected':") and "fc" in out


def test_does_check_say_when_nothing_is_defined_yet(monkeypatch):
    monkeypatch.setattr("grader.notebook.kernel_cells", lambda: [Cell(1, "print(2 + 2)")])
    console = _text_console()
    check("relu", console=console)
    assert "none of the code you ran defines anything to grade yet" in console.export_text()
