"""Questions about checking from inside Jupyter (grader.submissions.notebook).

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

from conftest import (COURSE, EXERCISE_FILES, ROOT, exercise_points, needs, patch, reference_source, split_cells,
                      verdicts, write_notebook)
from grader import api
from grader.cli import main
from grader.submissions.conversion import SKIP_TAG, Cell
from grader.authoring.course import find_course
from grader.submissions.notebook import check, grade_code

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


def execute(nb, workdir, **options) -> str:
    """Run every cell (stopping at an error) and return the check cell's text/plain output, without colour.

    options: more NotebookClient settings (timeout_func, interrupt_on_timeout).
    """
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=120, kernel_name=KERNEL, resources={"metadata": {"path": str(workdir)}},
                   **options).execute()
    check_cell = nb.cells[-1]
    assert check_cell.source.startswith("from grader.submissions.notebook import check")
    texts = []
    for out in check_cell.outputs:
        assert out.output_type != "error", "\n".join(out.get("traceback", []))
        texts.append(out.get("text") or out.get("data", {}).get("text/plain", ""))
    return ANSI.sub("", "".join(texts))


def handout(ex_id):
    return nbformat.read(str(COURSE.exercises_dir / ex_id / f"{ex_id}.ipynb"), as_version=4)


def total_line(text: str) -> str:
    return next(line for line in text.splitlines() if line.strip().startswith("│ total"))


@pytest.mark.course
@pytest.mark.parametrize("ex_id", IDS)
def test_does_the_check_cell_of_the_untouched_notebook_report_not_implemented(ex_id, kernel_env, tmp_path):
    text = execute(handout(ex_id), tmp_path)
    points = exercise_points(ex_id)
    assert "still raises NotImplementedError" in text
    assert re.search(rf"\b0/{points:g}\b", total_line(text)), text


@pytest.mark.course
@pytest.mark.parametrize("ex_id", IDS)
def test_does_the_check_cell_give_full_marks_with_the_reference_pasted_in(ex_id, kernel_env, tmp_path):
    nb = handout(ex_id)
    stub_cells = [i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and SKIP_TAG not in c.metadata.get("tags", [])]
    nb.cells[stub_cells[0]].source = reference_source(ex_id)
    for i in reversed(stub_cells[1:]):
        del nb.cells[i]
    text = execute(nb, tmp_path)
    points = exercise_points(ex_id)
    assert re.search(rf"\b{points:g}/{points:g}\b", total_line(text)), text
    assert "Collected from the code you ran:" in text and "✗" not in text


@needs("logistic")
def test_does_grading_kernel_code_give_the_same_verdicts_as_grading_the_file(tmp_path):
    buggy = (ROOT / "tests/corpus/logistic/buggy/crash_float_of_wTx.py").read_text()
    module = tmp_path / "logistic.py"
    module.write_text(buggy)
    report, conv = grade_code("logistic", [Cell(1, buggy), Cell(2, "print('trying it')")])
    assert verdicts(report) == verdicts(api.grade(module))
    frames = [f for e in report.exercises for c in e.checks for f in c.frames]
    assert frames and {f.file for f in frames} == {"In [1]"}
    assert not report.all_passed and conv.dropped == ("In [2]: a statement: print('trying it')",)


@needs("relu")
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


@needs("relu")
def test_does_check_outside_jupyter_say_so_in_one_line_without_a_traceback():
    console = _text_console()
    assert check("relu", console=console) is None
    out = console.export_text()
    assert out.count("\n") == 1 and "no notebook kernel is running here" in out


@needs("fc")
def test_is_an_unknown_exercise_in_check_reported_in_one_line(monkeypatch):
    monkeypatch.setattr("grader.submissions.notebook.kernel_cells", lambda: [Cell(1, "x = 1")])
    console = _text_console()
    check("fully_connected", console=console)
    out = console.export_text()
    assert out.startswith("Cannot check 'fully_connected':") and "fc" in out


@needs("relu")
def test_does_check_say_when_nothing_is_defined_yet(monkeypatch):
    monkeypatch.setattr("grader.submissions.notebook.kernel_cells", lambda: [Cell(1, "print(2 + 2)")])
    console = _text_console()
    check("relu", console=console)
    assert "none of the code you ran defines anything to grade yet" in console.export_text()


@needs("relu")
def test_does_check_name_each_input_it_left_out_and_why(monkeypatch):
    monkeypatch.setattr("grader.submissions.notebook.kernel_cells", lambda: [
        Cell(1, reference_source("relu")), Cell(2, "relu = ReLU()\nrelu.forward(x)"), Cell(3, "print(2 + 2)")])
    console = _text_console()
    check("relu", console=console)
    out = console.export_text()
    assert "Left out In [2]: an assignment that calls ReLU, your own code: relu = ReLU(); a statement: " \
           "relu.forward(x)" in out
    assert "Left out In [3]: a statement: print(2 + 2)" in out


@needs("relu")
def test_does_run_all_reach_the_check_cell_when_the_try_it_cell_crashes(kernel_env, tmp_path):
    nb = handout("relu")
    stub_cells = [i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and SKIP_TAG not in c.metadata.get("tags", [])]
    nb.cells[stub_cells[0]].source = patch(reference_source("relu"), "        return np.maximum(x, 0.0)",
                                           "        return np.maximum(x @ x, 0.0)")
    for i in reversed(stub_cells[1:]):
        del nb.cells[i]
    text = execute(nb, tmp_path)                  # raises if any cell stops Run All
    try_it = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("try:"))
    printed = "".join(o.get("text", "") for o in try_it.outputs)
    assert printed.startswith("ValueError: matmul") and printed.count("\n") == 1
    assert printed.rstrip().endswith("(the check cell below will show details)")
    assert "ValueError" in text and "✗" in text


def _messy_logistic(tmp_path):
    """A correct logistic notebook as students write them: magics, a help request, shell escapes, an import
    of a module missing where grading runs, lambdas and aliases, a duplicated cell, a hanging cell, calls."""
    source = patch(reference_source("logistic"), "        return float(np.logaddexp(0.0, -self.s))",
                   "        return float(_softplus(clip(-self.s)))")
    cells = split_cells(source)
    assert cells[0] == "import numpy as np"
    at = next(k for k, c in enumerate(cells) if c.startswith("class Sigmoid"))
    cells[at] += "\n\nSigmoid?"
    cells.insert(at, cells[at])                                   # the same cell twice
    helpers = ("from functools import partial\nsoftplus = lambda t: np.logaddexp(0.0, t)\n_softplus = softplus\n"
               "EPS = np.finfo(float).eps\nclip = partial(np.clip, a_min=-1e4, a_max=1e4)")
    return write_notebook(tmp_path / "class" / "logistic.ipynb", [
        ("markdown", "# Logistic regression, my way"), "%timeit -n1 -r1 1 + 1", "!pip --version",
        "import seaborn_not_installed_xyz as sns", cells[0], helpers, *cells[1:],
        ("while True:\n    pass", ["raises-exception"]),
        "model = LogisticRegression(np.zeros((3, 1)))\nprint(model.forward(np.ones((3, 1)), 1))",
        ('from grader.submissions.notebook import check\n\ncheck("logistic")', [SKIP_TAG])])


@needs("logistic")
def test_does_a_messy_notebook_score_the_same_in_a_kernel_with_grade_and_in_a_batch(kernel_env, tmp_path, capfd,
                                                                                  monkeypatch):
    path = _messy_logistic(tmp_path)
    points = find_course().exercise("logistic").max_score
    # The kernel can import the module; the grading worker (python -I) cannot, as on a student's own machine.
    kernel_only = tmp_path / "kernel_only"
    kernel_only.mkdir()
    (kernel_only / "seaborn_not_installed_xyz.py").write_text("")
    with monkeypatch.context() as env:
        env.setenv("PYTHONPATH", str(kernel_only))
        nb = nbformat.read(str(path), as_version=4)
        text = execute(nb, tmp_path, interrupt_on_timeout=True,
                       timeout_func=lambda cell: 5 if cell.source.startswith("while True") else 180)
    check_cell = nb.cells[-1]
    assert not [o for o in check_cell.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert re.search(rf"\b{points:g}/{points:g}\b", total_line(text)), text
    assert "Left out In [2]: shell escape !pip --version" in text
    assert "an assignment that calls LogisticRegression, your own code" in text
    capfd.readouterr()

    assert main([str(path), "--json", str(tmp_path / "one.json")]) == 0
    one = json.loads((tmp_path / "one.json").read_text())
    api.batch(path.parent, out=tmp_path / "out", jobs=1, timeout=5)
    batch = json.loads((tmp_path / "out" / "logistic.json").read_text())
    assert one["score"] == batch["score"] == points
    assert capfd.readouterr().err == ""
    notes = "\n".join(one["notes"])
    assert "help request Sigmoid?" in notes and "magic %timeit" in notes and "shell escape !pip --version" in notes
    assert "seaborn_not_installed_xyz is not installed where your code is graded" in notes
    assert "a loop: while True:" in notes and "Sigmoid is defined again later" in notes
