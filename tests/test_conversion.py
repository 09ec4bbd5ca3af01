"""Questions about turning notebooks into gradable modules (grader.submissions.conversion)."""

from __future__ import annotations

import json
import warnings

import pytest

from conftest import write_notebook
from grader.submissions.conversion import Cell, definitions, execute_all, read_notebook
from grader.errors import SubmissionError
from grader.submissions.submission import defined_names_in


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
        "W = np.zeros(3)\nsaved = np.load('w.npy')",
    ))
    ns = run(conv.source)
    assert ns["N"] == 3 and ns["EPS"] == 1e-5 and "Layer" in ns and list(ns["W"]) == [0, 0, 0]
    assert "layer" not in ns and "saved" not in ns
    assert conv.kept == ("N (cell 1)", "EPS (cell 1)", "Layer (cell 2)", "W (cell 4)")
    assert [d.split(":")[0] for d in conv.dropped] == ["cell 3", "cell 4"]
    assert "an assignment that calls Layer, your own code: layer = Layer()" in conv.dropped[0]
    assert "a loop: for i in range(10):" in conv.dropped[0]
    assert "np.load, which can reach outside the program or wait: saved = np.load('w.npy')" in conv.dropped[1]


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
    conv = definitions(cells("from grader.submissions.notebook import check\nimport grader.api\nimport math"))
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


def test_is_ipython_syntax_read_by_ipython_itself_without_nbconvert_or_warnings():
    """`Sigmoid?` ends a cell that defines Sigmoid: the class is kept, whatever nbconvert does (issue 12)."""
    import subprocess
    import sys

    script = ("import sys\n"
              "sys.modules['nbconvert'] = None\n"          # nbconvert's filter must play no part
              "from grader.submissions.conversion import Cell, definitions\n"
              "conv = definitions([Cell(1, 'class Sigmoid:\\n    pass\\n\\nSigmoid?\\nx = !ls\\n%timeit 1')])\n"
              "print(conv.kept, conv.dropped)\n")
    done = subprocess.run([sys.executable, "-W", "always", "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.strip() == ("('Sigmoid (cell 1)',) "
                                   "('cell 1: help request Sigmoid?, IPython syntax x = !ls, magic %timeit',)")


def test_is_a_magic_cell_converted_silently_and_without_importing_nbconvert():
    import subprocess
    import sys

    script = ("import sys, warnings\n"
              "from grader.submissions.conversion import Cell, definitions\n"
              "with warnings.catch_warnings(record=True) as seen:\n"
              "    warnings.simplefilter('always')\n"
              "    conv = definitions([Cell(1, 'def f():\\n    return 1\\n\\nf?'), Cell(2, '!pip install x')])\n"
              "print(len(seen), 'nbconvert' in sys.modules, conv.kept)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (done.stdout.strip(), done.stderr) == ("0 False ('f (cell 1)',)", "")


def test_are_lambdas_aliases_partials_and_constants_from_imports_kept():
    conv = definitions(cells(
        "import numpy as np\nimport functools\nfrom functools import partial",
        "sigmoid = lambda t, k=1.0: 1.0 / (1.0 + np.exp(-k * t))\n_sigmoid = sigmoid\nEPS = np.finfo(float).eps",
        "steep = functools.partial(sigmoid, k=2.0)\nshallow = partial(sigmoid, k=0.5)\nSIZES = (3, 4)\n"
        "TWO_PI = 2 * np.pi\nTINY = 10 ** -8\nW0, b0 = np.zeros(SIZES), float('0.5')",
        "def helper(x):\n    return _sigmoid(x) + EPS",
    ))
    ns = run(conv.source)
    assert ns["helper"](0.0) == pytest.approx(0.5) and ns["steep"](0.0) == ns["shallow"](0.0) == 0.5
    assert ns["EPS"] > 0 and ns["TWO_PI"] == pytest.approx(6.283185307) and ns["TINY"] == 1e-8
    assert ns["W0"].shape == (3, 4) and ns["b0"] == 0.5
    assert conv.dropped == ()
    assert [k.split(" ")[0] for k in conv.kept] == ["sigmoid", "_sigmoid", "EPS", "steep", "shallow", "SIZES",
                                                  "TWO_PI", "TINY", "W0", "b0", "helper"]


@pytest.mark.parametrize("statement, reason", [
    ("model = Linear(2)", "an assignment that calls Linear, your own code: model = Linear(2)"),
    ("model.forward(3)", "a statement: model.forward(3)"),
    ("out = np.ones(3) @ Linear(2)", "an assignment that calls Linear, your own code"),
    ("out = Linear(2).forward(1)", "an assignment that calls a method of a computed value"),
    ("name = input('your name? ')", "an assignment that calls input: name = input('your name? ')"),
    ("data = np.loadtxt('train.csv')", "an assignment that calls np.loadtxt, which can reach outside the program"),
    ("fig = plt.show()", "an assignment that calls plt.show, which can reach outside the program or wait"),
    ("t = time.sleep(100)", "an assignment that calls time.sleep, which can reach outside the program or wait"),
    ("squares = [k * k for k in range(10)]", "an assignment that loops or runs code"),
    ("big = 10 ** 10 ** 10", "an assignment that may compute for very long"),
    ("W = W_trained", "an assignment that uses W_trained, which is not kept: W = W_trained"),
    ("rng = np.random.default_rng(0).normal(size=3)", "an assignment that calls a method of a computed value"),
    ("while True:\n    pass", "a loop: while True:"),
])
def test_are_calls_into_the_students_code_io_waits_and_loops_still_dropped_with_the_reason(statement, reason):
    conv = definitions(cells("import numpy as np\nimport time\nimport matplotlib.pyplot as plt",
                             "class Linear:\n    def __init__(self, n):\n        self.n = n", statement))
    assert [k.split(" ")[0] for k in conv.kept] == ["Linear"]
    assert len(conv.dropped) == 1 and conv.dropped[0].startswith("cell 3: ") and reason in conv.dropped[0]


def test_does_an_earlier_definition_stay_when_a_kept_statement_reads_it_before_it_is_redefined():
    conv = definitions(cells("EPS = 1e-8", "EPS = EPS / 2", "class A:\n    k = 1", "class B(A):\n    pass",
                             "class A:\n    k = 2", "def f():\n    return 1", "def f():\n    return 2"))
    ns = run(conv.source)
    assert ns["EPS"] == 5e-9 and ns["B"].k == 1 and ns["A"].k == 2 and ns["f"]() == 2
    assert conv.notes == ("f is defined again later (cell 7); the definition in cell 6 is not used",)


def test_is_the_keep_rule_one_pass_without_recursion_over_deep_or_wide_expressions():
    import time

    deep = "x = " + " + ".join(["float(1)"] * 2000)          # deeper than Python's recursion limit
    wide = "y = [" + ", ".join(["(1, float(2), 'a')"] * 30_000) + "]"
    started = time.perf_counter()
    conv = definitions(cells(deep, wide, "z = np.zeros(3)" + " + 1" * 2000))
    assert time.perf_counter() - started < 10
    assert conv.kept == ("x (cell 1)", "y (cell 2)") and "uses np, which is not kept" in conv.dropped[0]
    ns = run(conv.source)
    assert ns["x"] == 2000 and len(ns["y"]) == 30_000


def test_does_a_missing_import_become_a_stand_in_that_raises_only_when_used():
    conv = definitions(cells("import numpy as np\nimport seaborn_not_installed_xyz as sns\n"
                             "from plotly_not_installed_xyz.express import line",
                             "PALETTE = sns.color_palette()",
                             "def f(x):\n    return np.abs(x)", "def g():\n    return sns.heatmap([1])"))
    ns = run(conv.source)                                     # importing the module does not fail
    assert ns["f"](-2) == 2
    with pytest.raises(ModuleNotFoundError, match="seaborn_not_installed_xyz is not installed where your code is "
                                                  "graded; it was imported in cell 1 and is used here"):
        ns["g"]()
    with pytest.raises(NameError, match=r"PALETTE could not be computed where your code is graded \(cell 2 raised "
                                        r"ModuleNotFoundError: seaborn_not_installed_xyz is not installed"):
        ns["PALETTE"] + 1
    with pytest.raises(ModuleNotFoundError, match="plotly_not_installed_xyz is not installed"):
        ns["line"]([1, 2])
    assert conv.notes == tuple(f"{m} is not installed where your code is graded: its import in cell 1 is kept as a "
                               f"stand-in that raises only if your code uses it"
                               for m in ("seaborn_not_installed_xyz", "plotly_not_installed_xyz"))


def test_do_guarded_statements_keep_their_lines_for_tracebacks():
    source = ("import numpy as np; print('hi')\n"
              "import math\n"
              "scale = lambda t, eps=np.finfo(float).eps: t / 0 + eps\n")
    conv = definitions(cells("x = 1", source))
    by_cell = {"cell 1": "x = 1", "cell 2": source}
    locate = conv.locator("m.py")
    mapped = 0
    for n, line in enumerate(conv.source.split("\n"), start=1):
        where = locate("m.py", n)
        if where is not None:
            mapped += 1
            assert line.removeprefix("try: ") in by_cell[where[0]].split("\n")[where[1] - 1]
    assert mapped == 4
    assert "print" not in conv.source                  # only the import of the first line is kept
    with pytest.raises(ZeroDivisionError) as info:
        run(conv.source)["scale"](1.0)
    assert locate("m.py", info.traceback[-1].lineno + 1) == ("cell 2", 3)
