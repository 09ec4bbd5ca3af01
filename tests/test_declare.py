"""Questions about declaring an exercise from its reference (grader.authoring.declare)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from grader.cli import main
from grader.authoring.course import find_course
from grader.authoring.declare import DeclarationError, parse_docstring, read_interface
from grader.errors import CourseError
from grader.isolation.script import run_local

from conftest import ROOT, needs, patch

SIGMOID_DECLARATION = '''from grader.authoring import layer

EXERCISE = layer(
    "sigmoid", "Sigmoid",
    convention="column",
    public=[{"n": 4}],
    hidden=[{"n": 3}],
    points={"forward": 2},
)
'''


def test_does_a_docstring_entry_give_its_name_symbol_and_named_dimensions():
    entries, returns = parse_docstring("dz: ∇_z L (1, out) row; returns ∇_x L: (1, in) row.\n"
                                       "Also sets self.dW = ∇_W L: (out, in) and self.db = ∇_b L: (1, out).")
    found = {e.name: (e.symbol, e.dims) for e in entries}
    assert found == {"dz": ("∇_z L", ("1", "out")), "∇_x L": ("", ("1", "in")),
                     "self.dW": ("∇_W L", ("out", "in")), "self.db": ("∇_b L", ("1", "out"))}
    assert returns == ("∇_x L",)


def test_does_a_docstring_declare_a_returned_tuple_a_scalar_and_an_opaque_cache():
    entries, returns = parse_docstring("logits: (N, C) scores; y: (N,) labels.\n"
                                       "returns (loss, cache). loss: the mean cross-entropy, a scalar; cache: for "
                                       "the backward.")
    found = {e.name: e.dims for e in entries}
    assert returns == ("loss", "cache")
    assert found == {"logits": ("N", "C"), "y": ("N",), "loss": (), "cache": None}


@needs("fc")
def test_are_the_fc_checks_inferred_from_the_reference_with_their_labels_and_layouts():
    ex = find_course().exercise("fc")
    by_id = {c.id: c for c in ex.checks}
    assert list(by_id) == ["fc.forward", "fc.backward.dx", "fc.backward.dW", "fc.backward.db", "fc.jacobian",
                           "fc.hygiene.sequence", "fc.hygiene.mutation", "fc.hygiene.determinism"]
    dW = by_id["fc.backward.dW"].targets[0]
    assert (dW.label, dW.quantity.kind.name, dW.quantity.of, dW.quantity.dims) == \
        ("self.dW", "MATRIX_GRADIENT", "W", ("out", "in"))
    dx = by_id["fc.backward.dx"].targets[0]
    assert (dx.label, dx.quantity.kind.name) == ("the returned ∇_x L", "ROW_GRADIENT")
    assert by_id["fc.jacobian"].targets[0].quantity.kind.name == "JACOBIAN"
    (spec,) = ex.numeric
    assert spec.wrt == (("x", "dx"), ("W", "dW"), ("b", "db")) and spec.upstream == "dz" and spec.layout == "row"


@needs("softmax_ce")
def test_does_a_function_pair_keep_its_cache_in_the_worker_and_pick_the_loss():
    """The forward's (loss, cache) comes back as (None, None): the loss travels as its own picked result."""
    course = find_course()
    ex = course.exercise("softmax_ce")
    trial = ex.make_trial(ex.public[0], "public")
    trees = run_local(course.reference_module(ex), trial.steps, trial.sent_inputs)
    by_out = dict(zip((s.out for s in trial.steps), trees))
    assert [item["t"] for item in by_out["fwd"]["items"]] == ["none", "none"]
    assert by_out["loss"]["t"] == "scalar" and by_out["dlogits"]["array"].shape == trial.inputs["logits"].shape
    (spec,) = ex.numeric
    assert spec.layout == "same" and spec.upstream == "dloss" and spec.wrt == (("logits", "dlogits"),)


@needs("softmax_ce")
def test_are_integer_labels_drawn_in_range_and_extreme_logits_scaled_to_the_stated_size():
    ex = find_course().exercise("softmax_ce")
    main = ex.make_trial(ex.public[0], "public")
    assert main.inputs["y"].dtype.kind == "i" and 0 <= main.inputs["y"].min() and \
        main.inputs["y"].max() < main.inputs["logits"].shape[1]
    extreme = next(ex.make_trial(p, "public") for p in ex.public if p.recipe == "extreme")
    assert np.max(np.abs(extreme.inputs["logits"])) == pytest.approx(1000.0)


@pytest.fixture
def course_copy(tmp_path):
    """A copy of the course whose sigmoid declaration a test may break."""
    for name in ("exercises", "reference", "student_template"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "course.toml", tmp_path / "course.toml")
    (tmp_path / "exercises" / "sigmoid" / "checks.py").write_text(SIGMOID_DECLARATION, encoding="utf-8")
    return tmp_path


def _declaration_error(course_copy, old: str, new: str) -> str:
    path = course_copy / "exercises" / "sigmoid" / "checks.py"
    path.write_text(patch(path.read_text(encoding="utf-8"), old, new), encoding="utf-8")
    with pytest.raises(DeclarationError) as caught:
        find_course(course_copy).exercise("sigmoid")
    return str(caught.value)


@needs("sigmoid")
def test_is_a_misspelt_class_one_line_with_the_declaration_line_and_the_closest_name(course_copy):
    message = _declaration_error(course_copy, '"Sigmoid",', '"Sigmod",')
    assert message.startswith("exercises/sigmoid/checks.py:4: ")
    assert "has no class 'Sigmod' (did you mean 'Sigmoid'?)" in message and "\n" not in message


@needs("sigmoid")
def test_is_a_misspelt_points_key_named_with_its_line_and_the_closest_check(course_copy):
    message = _declaration_error(course_copy, '{"forward": 2}', '{"forwrd": 2}')
    assert message.startswith("exercises/sigmoid/checks.py:8: ")
    assert "'forwrd', which is not a check of sigmoid (did you mean 'forward'?)" in message


@needs("sigmoid")
def test_is_a_size_missing_for_a_named_dimension_refused_at_its_line(course_copy):
    message = _declaration_error(course_copy, 'hidden=[{"n": 3}]', 'hidden=[{"m": 3}]')
    assert message.startswith("exercises/sigmoid/checks.py:7: ") and "gives no size for n" in message


@needs("sigmoid")
def test_is_a_docstring_without_a_shape_named_at_the_reference_method(course_copy):
    ref = course_copy / "reference" / "sigmoid.py"
    text = ref.read_text(encoding="utf-8")
    ref.write_text(text.replace("da: ∇_a L (1, n) row;", "da: the upstream gradient;"), encoding="utf-8")
    with pytest.raises(DeclarationError) as caught:
        find_course(course_copy).exercise("sigmoid")
    line = next(k for k, t in enumerate(text.splitlines(), 1) if "def backward" in t)
    assert str(caught.value).startswith(f"reference/sigmoid.py:{line}: ")
    assert "gives no shape for da" in str(caught.value)


@needs("sigmoid")
def test_does_grade_build_stop_on_a_declaration_error_with_exit_2_and_one_line(course_copy, capsys):
    path = course_copy / "exercises" / "sigmoid" / "checks.py"
    path.write_text(patch(path.read_text(encoding="utf-8"), '"Sigmoid",', '"Sigmod",'), encoding="utf-8")
    assert main(["build", "--course", str(course_copy)]) == 2
    err = capsys.readouterr().err
    assert "exercises/sigmoid/checks.py:4:" in err and "Traceback" not in err


@needs("sigmoid")
def test_is_the_declaration_read_from_the_stub_when_the_reference_is_absent(course_copy):
    """A handout has no reference/: the stub carries the same signatures and docstrings."""
    shutil.rmtree(course_copy / "reference")
    ex = find_course(course_copy).exercise("sigmoid")
    assert [c.id for c in ex.checks][:2] == ["sigmoid.forward", "sigmoid.backward.dz"]


def test_does_reading_an_unparsable_reference_say_so_in_one_line(tmp_path):
    bad = tmp_path / "broken.py"
    bad.write_text("def f(:\n", encoding="utf-8")
    with pytest.raises(CourseError) as caught:
        read_interface(bad)
    assert caught.value.args[0].startswith("broken.py: cannot read it")


@needs("sigmoid")
def test_does_a_per_check_wording_replace_the_conventions_hint_for_that_check_only(course_copy, tmp_path):
    from grader import api

    path = course_copy / "exercises" / "sigmoid" / "checks.py"
    path.write_text(patch(path.read_text(encoding="utf-8"), 'points={"forward": 2},',
                          'points={"forward": 2},\n    wording={"backward.dz": {"hint.layout_transposed": '
                          '"Our own words: the sigmoid gradient is a row."}},'), encoding="utf-8")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "sigmoid.py").write_text(
        "import numpy as np\n\n\nclass Sigmoid:\n    def forward(self, z):\n        self.a = 1 / (1 + np.exp(-z))\n"
        "        return self.a\n\n    def backward(self, da):\n        return da.T * self.a * (1 - self.a)\n",
        encoding="utf-8")
    report = api.grade(mine, exercise="sigmoid", course=course_copy, mode="instructor")
    failing = {c.id: c for e in report.exercises for c in e.checks if not c.passed}
    assert list(failing) == ["sigmoid.backward.dz"]
    assert failing["sigmoid.backward.dz"].diagnosis == ("layout_transposed",)
    assert failing["sigmoid.backward.dz"].hint == "Our own words: the sigmoid gradient is a row."


@needs("sigmoid")
def test_is_an_unknown_wording_key_refused_at_its_line(course_copy):
    message = _declaration_error(course_copy, 'points={"forward": 2},',
                                 'points={"forward": 2},\n    wording={"backward.dz": {"no_such_key": "x"}},')
    assert message.startswith("exercises/sigmoid/checks.py:") and "no_such_key" in message
