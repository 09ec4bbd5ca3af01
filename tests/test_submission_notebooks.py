"""Questions about notebook submissions: do they grade exactly like the equivalent .py files?"""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import (EXERCISE_FILES, REFERENCE, ROOT, assignment_ids, frames_per_check, needs, patch,
                      reference_source, split_cells, verdicts, write_notebook)
from grader import api
from grader.cli import main

IDS = sorted(EXERCISE_FILES)
NOISE = ["%matplotlib inline", "!pip install torch", "for epoch in range(3):\n    print('epoch', epoch)",
         "name = input('your name? ')", "import warnings\nwarnings.warn('careful')"]


def first_buggy(ex_id: str) -> str:
    """The first planted bug of the exercise's diagnosis corpus (skips the test when it has none)."""
    path = ROOT / "tests" / "corpus" / ex_id / "manifest.json"
    if not path.is_file():
        pytest.skip(f"tests/corpus has no planted bugs for {ex_id}")
    manifest = json.loads(path.read_text())
    return (ROOT / "tests" / "corpus" / ex_id / manifest["buggy"][0]["file"]).read_text()


def grade_py(tmp_path, ex_id: str, source: str, **kwargs):
    f = tmp_path / "py" / EXERCISE_FILES[ex_id]
    f.parent.mkdir(exist_ok=True)
    f.write_text(source)
    return api.grade(f, **kwargs)


def as_notebook(tmp_path, ex_id: str, cells: list) -> object:
    return write_notebook(tmp_path / "nb" / f"{ex_id}.ipynb", cells)


@pytest.mark.course
@pytest.mark.parametrize("ex_id", IDS)
def test_does_a_correct_notebook_with_noise_grade_like_the_py_file(tmp_path, ex_id):
    source = reference_source(ex_id)
    cells = NOISE[:2] + split_cells(source) + NOISE[2:]
    report = api.grade(as_notebook(tmp_path, ex_id, cells))
    assert report.all_passed and {e.file for e in report.exercises} == {f"{ex_id}.ipynb"}
    assert verdicts(report) == verdicts(grade_py(tmp_path, ex_id, source))
    dropped = "\n".join(report.notes)
    assert "magic %matplotlib" in dropped and "shell escape !pip install torch" in dropped
    assert "a loop: for epoch in range(3):" in dropped and "input('your name? ')" in dropped


@pytest.mark.parametrize("ex_id", IDS)
def test_does_a_buggy_notebook_grade_like_the_buggy_py_file(tmp_path, ex_id):
    source = first_buggy(ex_id)
    cells = split_cells(source)
    report = api.grade(as_notebook(tmp_path, ex_id, cells))
    expected = grade_py(tmp_path, ex_id, source)
    assert not expected.all_passed
    assert verdicts(report) == verdicts(expected)
    got_frames, want_frames = frames_per_check(report), frames_per_check(expected)
    assert any(got_frames) == any(want_frames)
    # Tracebacks point into the notebook: the same code, named by its cell and its line there.
    for nb_frames, py_frames in zip(got_frames, want_frames):
        assert len(nb_frames) == len(py_frames)
        for f, g in zip(nb_frames, py_frames):
            assert f["code"] == g["code"] and f["function"] == g["function"]
            cell = int(f["file"].removeprefix("cell "))
            assert cells[cell - 1].splitlines()[f["line"] - 1].strip() == f["code"]


@needs("relu")
def test_does_a_traceback_under_execute_all_name_the_cell_and_its_line(tmp_path):
    source = reference_source("relu").replace("def backward(self, dz):", "def backward(self, dz):\n        1 / 0", 1)
    nb = as_notebook(tmp_path, "relu", ["x = 1"] + split_cells(source))
    report = api.grade(nb, execute_all=True)
    frames = [f for e in report.exercises for c in e.checks for f in c.frames]
    assert frames and {f.code for f in frames} == {"1 / 0"}
    assert {f.file for f in frames} <= {f"cell {k}" for k in range(2, 20)} and {f.line for f in frames} != {0}


@needs("relu")
def test_is_a_hanging_top_level_cell_dropped_by_default_and_a_timeout_with_execute_all(tmp_path):
    nb = as_notebook(tmp_path, "relu", split_cells(reference_source("relu")) + ["while True:\n    pass"])
    assert api.grade(nb, timeout=2).all_passed
    report = api.grade(nb, timeout=2, execute_all=True)
    assert [e.status for e in report.exercises] == ["timeout"] and report.score == 0
    assert report.exercises[0].message.startswith("relu.ipynb could not be loaded")   # not the converted relu.py
    assert all(c.message.startswith("relu.ipynb ") for c in report.exercises[0].checks)


@needs("fc")
def test_does_execute_all_grade_a_clean_notebook_like_the_py_file(tmp_path):
    source = reference_source("fc")
    report = api.grade(as_notebook(tmp_path, "fc", split_cells(source) + ["print('done')"]), execute_all=True)
    assert verdicts(report) == verdicts(grade_py(tmp_path, "fc", source))


@needs("relu")
def test_does_the_last_of_duplicated_cells_count_and_the_report_say_so(tmp_path):
    good, bad = reference_source("relu"), first_buggy("relu")
    fixed_late = api.grade(as_notebook(tmp_path / "a", "relu", [bad, good]))
    assert fixed_late.all_passed
    assert any("is defined again later (cell 2); the definition in cell 1 is not used" in n
               for n in fixed_late.notes)
    broken_late = api.grade(as_notebook(tmp_path / "b", "relu", [good, bad]))
    assert verdicts(broken_late) == verdicts(grade_py(tmp_path, "relu", bad))


@needs("fc", "relu")
def test_is_a_notebook_with_another_name_graded_for_the_exercises_it_defines(tmp_path):
    nb = write_notebook(tmp_path / "homework.ipynb", [reference_source("fc"), reference_source("relu")])
    report = api.grade(nb)
    assert [e.id for e in report.exercises] == ["fc", "relu"] and report.all_passed
    only = api.grade(nb, exercise="relu")
    assert [e.id for e in only.exercises] == ["relu"]


@needs("fc")
def test_does_the_cli_write_the_same_json_and_exit_code_for_a_notebook_and_a_py(tmp_path, capsys):
    source = first_buggy("fc")
    nb = as_notebook(tmp_path, "fc", split_cells(source))
    py = tmp_path / "fc.py"
    py.write_text(source)
    assert main([str(nb), "--json", str(tmp_path / "nb.json")]) == 1
    assert main([str(py), "--json", str(tmp_path / "py.json")]) == 1
    from_nb = json.loads((tmp_path / "nb.json").read_text())
    from_py = json.loads((tmp_path / "py.json").read_text())
    assert verdicts(from_nb) == verdicts(from_py)
    assert "{" not in capsys.readouterr().out


def _broken_notebooks(tmp_path):
    base = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": [{"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": []}]}
    yield "garbled.ipynb", b'{"cells": [', "its JSON does not parse"
    yield "old.ipynb", json.dumps(dict(base, nbformat=3)).encode(), "only format 4 is supported"
    yield "prose.ipynb", json.dumps(dict(base, cells=[{"cell_type": "markdown", "source": "x",
                                                       "metadata": {}}])).encode(), "has no code cells"
    yield "julia.ipynb", json.dumps(dict(base, metadata={"kernelspec": {
        "name": "julia-1.10", "language": "julia", "display_name": "Julia"}})).encode(), "notebook for julia"
    yield "binary.ipynb", json.dumps(dict(base, cells=[{"cell_type": "code", "source": [7], "metadata": {},
                                                        "outputs": []}])).encode(), "is not text"


@pytest.mark.parametrize("case", range(6))
def test_is_a_broken_notebook_exit_two_with_a_one_line_reason(tmp_path, capsys, case):
    if case == 5:
        path, fragment = tmp_path / "huge.ipynb", "notebooks over 20 MiB are not accepted"
        with open(path, "wb") as out:
            out.seek(100_000_000)
            out.write(b"}")
    else:
        name, content, fragment = list(_broken_notebooks(tmp_path))[case]
        path = tmp_path / name
        path.write_bytes(content)
    assert main([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and fragment in captured.err
    assert captured.err.count("\n") <= 2 and "Traceback" not in captured.err


@needs("fc", "relu")
def test_are_notebook_entries_graded_in_a_batch_and_broken_ones_marked_error(tmp_path):
    subs = tmp_path / "class"
    subs.mkdir()
    write_notebook(subs / "alice.ipynb", ["%matplotlib inline"] + [reference_source(i) for i in assignment_ids()]
                   + ["print('all done')"])
    write_notebook(subs / "fc.ipynb", [first_buggy("fc")])      # a student whose id is an exercise id
    (subs / "bob.ipynb").write_bytes(b'{"cells": [')
    shutil.copytree(REFERENCE, subs / "carol", ignore=shutil.ignore_patterns("mutants"))
    api.batch(subs, out=tmp_path / "out", jobs=1, timeout=5)
    alice = json.loads((tmp_path / "out" / "alice.json").read_text())
    carol = json.loads((tmp_path / "out" / "carol.json").read_text())
    assert {e["file"] for e in alice["exercises"]} == {"alice.ipynb"}
    for e in alice["exercises"] + carol["exercises"]:
        e.pop("file")
    assert alice["exercises"] == carol["exercises"] and alice["score"] == alice["max_score"]
    assert "magic %matplotlib" in (tmp_path / "out" / "alice.txt").read_text()
    fc_student = json.loads((tmp_path / "out" / "fc.json").read_text())
    assert {e["id"]: e["status"] for e in fc_student["exercises"]}["relu"] == "missing"
    bob = json.loads((tmp_path / "out" / "bob.json").read_text())
    assert {e["status"] for e in bob["exercises"]} == {"error"} and bob["score"] == 0
    assert "its JSON does not parse" in (tmp_path / "out" / "bob.txt").read_text()


@needs("fc", "relu")
def test_does_a_folder_mixing_py_files_and_exercise_notebooks_grade_both(tmp_path):
    folder = tmp_path / "mine"
    write_notebook(folder / "fc.ipynb", split_cells(first_buggy("fc")))
    (folder / "relu.py").write_text(reference_source("relu"))
    write_notebook(folder / "relu.ipynb", ["this notebook is ignored: relu.py is there"])
    report = api.grade(folder)
    by_id = {e.id: e for e in report.exercises}
    assert by_id["fc"].file == "fc.ipynb" and by_id["relu"].file == "relu.py"
    assert by_id["relu"].score == by_id["relu"].max_score
    assert verdicts(report)[0] == verdicts(grade_py(tmp_path, "fc", first_buggy("fc")))[0]
    assert [e.status for e in report.exercises if e.id not in ("fc", "relu")] == \
        ["missing"] * (len(report.exercises) - 2)


@needs("fc", "relu")
def test_is_a_zipped_notebook_or_a_folder_of_notebooks_graded_in_a_batch(tmp_path):
    import zipfile

    subs = tmp_path / "class"
    write_notebook(tmp_path / "src" / "work.ipynb", [reference_source("fc")])
    subs.mkdir()
    with zipfile.ZipFile(subs / "dana.zip", "w") as zf:
        zf.write(tmp_path / "src" / "work.ipynb", "homework/work.ipynb")
    write_notebook(subs / "erin" / "relu.ipynb", split_cells(reference_source("relu")))
    api.batch(subs, out=tmp_path / "out", jobs=1, timeout=5)
    dana = json.loads((tmp_path / "out" / "dana.json").read_text())
    erin = json.loads((tmp_path / "out" / "erin.json").read_text())
    assert {e["id"]: e["score"] == e["max_score"] for e in dana["exercises"]} == {
        i: i == "fc" for i in assignment_ids()}
    relu = next(e for e in erin["exercises"] if e["id"] == "relu")
    assert relu["status"] == "graded" and relu["score"] == relu["max_score"]


def _grade_in_subprocess(tmp_path, notebook, *, block: str = "") -> tuple[dict, str, bool]:
    """`grade NOTEBOOK --json` in a fresh interpreter: (the JSON, its stderr, whether nbconvert was imported).

    block: a module made unimportable first, as in an install without it.
    """
    import subprocess
    import sys

    out = tmp_path / f"report-{notebook.stem}-{block or 'all'}.json"
    script = ("import sys\n"
              + (f"sys.modules[{block!r}] = None\n" if block else "")
              + "from grader.cli import main\n"
              + f"code = main([{str(notebook)!r}, '--json', {str(out)!r}])\n"
              + "print('nbconvert' in sys.modules and sys.modules['nbconvert'] is not None)\n"
              + "sys.exit(code)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    return json.loads(out.read_text()), done.stderr, done.stdout.strip().endswith("True")


def test_does_a_help_request_after_a_class_cost_nothing_in_any_install(tmp_path):
    """`Sigmoid?` at the end of the Sigmoid cell: full marks, no warning, with or without nbconvert (issue 12)."""
    cells = split_cells(reference_source("logistic"))
    at = next(k for k, c in enumerate(cells) if c.startswith("class Sigmoid"))
    cells[at] += "\n\nSigmoid?"
    nb = as_notebook(tmp_path, "logistic", cells)
    for block in ("", "nbconvert"):
        report, stderr, nbconvert_imported = _grade_in_subprocess(tmp_path, nb, block=block)
        assert report["score"] == report["max_score"] and stderr == "" and not nbconvert_imported
        assert any("help request Sigmoid?" in n for n in report["notes"])


def test_does_correct_code_with_lambda_helpers_aliases_and_constants_grade_like_the_py_file(tmp_path):
    source = patch(reference_source("logistic"), "        return float(np.logaddexp(0.0, -self.s))",
                   "        return float(_softplus(-self.s)) + 0.0 * EPS")
    source = patch(source, "        u = float(u)\n", "        u = as_float(u)\n")
    helpers = ("softplus = lambda t: np.logaddexp(0.0, t)\n_softplus = softplus\nEPS = np.finfo(float).eps\n"
               "as_float = functools.partial(float)")
    cells = split_cells(source)
    assert cells[0] == "import numpy as np"
    cells[1:1] = ["import functools", helpers]
    nb_report = api.grade(as_notebook(tmp_path, "logistic", cells))
    py_report = grade_py(tmp_path, "logistic", patch(source, "import numpy as np\n",
                                                     f"import numpy as np\nimport functools\n{helpers}\n"))
    assert py_report.all_passed and nb_report.all_passed
    assert verdicts(nb_report) == verdicts(py_report)
    kept = next(n for n in nb_report.notes if ": kept: " in n)
    assert all(f"{name} (cell 3)" in kept for name in ("softplus", "_softplus", "EPS", "as_float"))


def test_does_an_unused_import_of_a_missing_module_cost_nothing_and_a_used_one_say_why(tmp_path):
    source = reference_source("relu")
    unused = api.grade(as_notebook(tmp_path / "a", "relu", ["import seaborn_not_installed_xyz as sns"]
                                   + split_cells(source)))
    assert unused.all_passed
    assert [n for n in unused.notes if "seaborn" in n] == [
        "notebook relu.ipynb: seaborn_not_installed_xyz is not installed where your code is graded: its import in "
        "cell 1 is kept as a stand-in that raises only if your code uses it"]
    used = patch(source, "        mask = (self.x > 0).T\n", "        sns.set_theme()\n        mask = (self.x > 0).T\n")
    cells = ["import seaborn_not_installed_xyz as sns"] + split_cells(used)
    report = api.grade(as_notebook(tmp_path / "b", "relu", cells))
    failed = [c for e in report.exercises for c in e.checks if not c.passed]
    assert failed and report.exercises[0].status == "graded"
    assert any("seaborn_not_installed_xyz is not installed where your code is graded; it was imported in cell 1 "
               "and is used here" in c.message for c in failed)
    frames = [f for c in failed for f in c.frames]
    assert frames and all(cells[int(f.file.removeprefix("cell ")) - 1].splitlines()[f.line - 1].strip() == f.code
                          for f in frames)
    assert {f.code for f in frames} == {"sns.set_theme()"}
