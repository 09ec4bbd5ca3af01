"""Questions about turning notebooks into gradable modules (grader.conversion)."""

from __future__ import annotations

import json
import warnings

import pytest

from conftest import write_notebook
from grader.conversion import Cell, definitions, execute_all, read_notebook
from grader.errors import SubmissionError
from grader.submission import defined_names_in


def cells(*sources, tags=None):
    tags = tags or {}
    return [Cell(i + 1, s, tuple(tags.get(i + 1, ()))) for i, s in enumerate(sources)]


def run(source: str) -> dict:
    """Execute converted test code (written by these tests, not by a student) and return its namespace."""
    namespace: dict = {"__file__": "converted.py"}
    exec(compile(source, "<converted>", "exec"), namespace)
    return namespace


def test_are_only_definitions_kept_and_everything_else_listed_per_cell():
    conv = definitions(cells(
        "import numpy as np\nN = 3\nEPS: float = 1e-5",
        "class Layer:\n    def forward(self, x):\n        return x * N",
        "layer = Layer()\nfor i in range(10):\n    print(layer.forward(i))",
        "W = np.zeros(3)",
    ))
    ns = run(conv.source)
    assert ns["N"] == 3 and ns["EPS"] == 1e-5 and "Layer" in ns
    assert "layer" not in ns and "W" not in ns
    assert conv.kept == ("N (cell 1)", "EPS (cell 1)", "Layer (cell 2)")
    assert [d.split(":")[0] for d in conv.dropped] == ["cell 3", "cell 4"]
    assert "a loop" in conv.dropped[0] and "W = np.zeros(3)" in conv.dropped[1]


def test_does_the_last_definition_of_a_name_win_and_is_it_reported():
    conv = definitions(cells("def f():\n    return 1", "def g():\n    return 0", "def f():\n    return 2"))
    ns = run(conv.source)
    assert ns["f"]() == 2 and ns["g"]() == 0
    assert conv.notes == ("f is defined again later (cell 3); the definition in cell 1 is not used",)


def test_is_a_cell_tagged_grade_skip_dropped_in_both_policies():
    src = cells("def f():\n    return 1", "def f():\n    return 99", tags={2: ["grade-skip"]})
    assert run(definitions(src).source)["f"]() == 1
    assert run(execute_all(src).source)["f"]() == 1
    assert definitions(src).dropped == ("cell 2: tagged grade-skip",)


def test_are_magics_and_shell_escapes_dropped_without_losing_the_cell_definitions():
    conv = definitions(cells("%matplotlib inline\nimport math\n!pip install torch\ndef f():\n    return math.pi",
                             "%%timeit\nf()"))
    assert run(conv.source)["f"]() == pytest.approx(3.14159, abs=1e-5)
    assert "magic %matplotlib" in conv.dropped[0] and "shell escape !pip install torch" in conv.dropped[0]
    assert conv.dropped[1] == "cell 2: cell magic %%timeit"


def test_does_a_magic_inside_a_method_body_become_a_no_op_in_both_policies():
    src = cells("class Layer:\n    def forward(self, x):\n        %time y = 2 * x\n        return 3 * x")
    for conv in (definitions(src), execute_all(src)):
        assert run(conv.source)["Layer"]().forward(2) == 6
        assert "get_ipython" not in conv.source
        assert conv.dropped == ("cell 1: magic %time",) or conv.dropped[0].startswith("cell 1: magic %time")


def test_is_an_import_of_the_grader_dropped():
    conv = definitions(cells("from grader.notebook import check\nimport grader.api\nimport math"))
    assert "grader" not in conv.source and "import math" in conv.source
    assert "an import of the grader itself" in conv.dropped[0]


def test_is_a_cell_that_does_not_parse_reported_and_the_others_kept():
    conv = definitions(cells("def f(:\n    pass", "def g():\n    return 2"))
    assert run(conv.source)["g"]() == 2
    assert conv.dropped[0].startswith("cell 1: it does not parse")


def test_does_parsing_student_code_stay_silent_about_its_warnings():
    source = "x = 1if True else 2\ny = '\\d'\nclass Linear:\n    pass\n"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        conversion = definitions([Cell(1, source)])
        names = defined_names_in(source)
    assert seen == [] and "class Linear" in conversion.source and names == {"Linear"}


def test_does_execute_all_run_every_cell_in_order_past_a_failing_one(capsys):
    conv = execute_all(cells("x = [1]", "raise ValueError('boom')", "x.append(2)\ny = len(x)"))
    ns = run(conv.source)
    assert ns["y"] == 2
    assert "cell 2 raised ValueError: boom" in capsys.readouterr().err


def test_are_stored_outputs_never_part_of_the_module(tmp_path):
    planted = "class Linear:  # planted in an output"
    nb = write_notebook(tmp_path / "w.ipynb", ["def f():\n    return 1"], outputs={0: [
        {"output_type": "stream", "name": "stdout", "text": planted},
        {"output_type": "execute_result", "execution_count": 1, "metadata": {},
         "data": {"text/plain": planted}}]})
    assert planted in nb.read_text()
    conv = definitions(read_notebook(nb))
    assert "planted" not in conv.source and conv.kept == ("f (cell 1)",)


def test_are_cell_positions_counted_over_all_cells_including_markdown(tmp_path):
    nb = write_notebook(tmp_path / "w.ipynb", [("markdown", "# title"), "def f():\n    return 1"])
    assert [c.index for c in read_notebook(nb)] == [2]


def _nb(**overrides) -> bytes:
    doc = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
           "cells": [{"cell_type": "code", "source": "x = 1", "metadata": {}, "outputs": [],
                      "execution_count": None}]}
    doc.update(overrides)
    return json.dumps(doc).encode()


@pytest.mark.parametrize("content, fragment", [
    (b'{"cells": [', "its JSON does not parse"),
    (b"[" * 100_000 + b"]" * 100_000, "its JSON does not parse"),
    (b"\xff\xfe garbage", "its JSON does not parse"),
    (b"[1, 2]", "it has no list of cells"),
    (_nb(nbformat=3), "uses notebook format 3; only format 4"),
    (_nb(cells=[{"cell_type": "markdown", "source": "hi", "metadata": {}}]), "has no code cells"),
    (_nb(metadata={"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}), "is a notebook for R"),
    (_nb(metadata={"language_info": {"name": "julia"}}), "is a notebook for julia"),
    (_nb(cells=[{"cell_type": "code", "source": [1, 2], "metadata": {}, "outputs": []}]),
     "the source of cell 1 is not text"),
    (_nb(cells=[{"cell_type": "code", "source": {"a": 1}, "metadata": {}, "outputs": []}]),
     "the source of cell 1 is not text"),
    (_nb(cells=["print(1)"]), "cell 1 is not a cell object"),
])
def test_is_a_defective_notebook_refused_with_a_one_line_reason(tmp_path, content, fragment):
    f = tmp_path / "w.ipynb"
    f.write_bytes(content)
    with pytest.raises(SubmissionError, match=fragment) as info:
        read_notebook(f)
    assert "\n" not in info.value.message


def test_is_a_huge_notebook_refused_before_it_is_read(tmp_path):
    f = tmp_path / "w.ipynb"
    with open(f, "wb") as out:            # sparse: 100 MB without writing 100 MB
        out.write(b"{")
        out.seek(100_000_000)
        out.write(b"}")
    with pytest.raises(SubmissionError, match="notebooks over 20 MiB are not accepted"):
        read_notebook(f)
