"""Questions about naming layouts in words (grader.judging.convention)."""

from __future__ import annotations

import numpy as np

from grader.judging.convention import Kind, Quantity, recognise

DW = Quantity(Kind.MATRIX_GRADIENT, "∇_W L", ("out", "in"), "W")
DX = Quantity(Kind.ROW_GRADIENT, "∇_x L", ("1", "in"), "x")
WIN = Quantity(Kind.WINDOWS, "O", ("K", "T-N+1"))
JAC = Quantity(Kind.JACOBIAN, "∂z/∂x", ("out", "in"))


def test_is_a_transposed_weight_gradient_named_as_the_recitation_convention():
    f = recognise(DW, (5, 3), (3, 5), np.arange(15.0).reshape(5, 3))
    assert f.codes == ("layout_transposed",)
    assert "∇_W L = x ∇_z L" in f.words and "recitation" in f.words
    assert f.rearranged.shape == (3, 5)


def test_is_a_column_gradient_named_the_denominator_layout():
    f = recognise(DX, (5, 1), (1, 5))
    assert f.codes == ("layout_transposed",) and "column" in f.words and "row" in f.words


def test_is_one_row_per_window_named_rows_are_examples():
    f = recognise(WIN, (6, 2), (2, 6))
    assert f.codes == ("layout_transposed",) and "rows-are-examples" in f.words


def test_is_a_transposed_jacobian_named_as_such():
    assert "transposed" in recognise(JAC, (5, 3), (3, 5)).words


def test_is_a_flat_vector_a_wrong_shape_that_mentions_broadcasting():
    f = recognise(DX, (5,), (1, 5), np.arange(5.0))
    assert f.codes == ("wrong_shape",) and "flat" in f.words and "Broadcasting" in f.words
    assert f.rearranged.shape == (1, 5)


def test_are_per_example_gradients_named_rows_are_examples_for_a_batch_gradient_only():
    batch = Quantity(Kind.ROW_GRADIENT, "∇_w", ("1", "D"), "w", batch=True)
    f = recognise(batch, (6, 4), (1, 4))
    assert f.codes == ("wrong_shape",) and "rows-are-examples" in f.words
    assert "rows-are-examples" not in recognise(DX, (6, 4), (1, 4)).words


def test_is_a_row_times_column_broadcast_named():
    f = recognise(DX, (7, 7), (1, 7))
    assert f.codes == ("wrong_shape",) and "broadcasting combined a row with a column" in f.words


def test_does_an_unrelated_shape_get_a_plain_wrong_shape():
    f = recognise(DW, (2, 2), (3, 5))
    assert f.codes == ("wrong_shape",) and f.rearranged is None


def test_do_expected_words_name_the_dimensions():
    assert "(3, 5) = (out, in)" in DW.expected_words((3, 5))
    assert "row" in DX.expected_words((1, 5))


# -- the batch convention -------------------------------------------------------------------------------------

import pytest  # noqa: E402

from grader.judging import convention  # noqa: E402
from grader.judging import diagnosis as dx  # noqa: E402
from grader.judging.convention import get_convention, known_conventions, set_course_root  # noqa: E402
from grader.errors import CourseError  # noqa: E402

B_DX = Quantity(Kind.GRADIENT, "∇_x L", ("N", "D"), "x", convention="batch")
B_DW = Quantity(Kind.GRADIENT, "∇_W L", ("D", "M"), "W", convention="batch")
B_DB = Quantity(Kind.GRADIENT, "∇_b L", ("M",), "b", convention="batch")
B_OUT = Quantity(Kind.BATCH, "out", ("N", "M"), convention="batch")


def test_is_a_transposed_weight_gradient_in_the_batch_convention_named_and_transposed_back():
    given = np.arange(12.0).reshape(4, 3)
    f = recognise(B_DW, (4, 3), (3, 4), given)
    assert f.codes == ("layout_transposed",)
    assert "(4, 3) = (M, D)" in f.words and "Wᵀ" in f.words and "(3, 4) = (D, M)" in f.words
    assert "recitation" not in f.words
    assert np.array_equal(f.rearranged, given.T)


def test_is_db_not_summed_over_the_batch_named_and_summed_for_judging():
    given = np.arange(24.0).reshape(6, 4)
    f = recognise(B_DB, (6, 4), (4,), given)
    assert f.codes == ("wrong_shape", "not_summed_over_batch")
    assert "(6, 4) = (N, M)" in f.words and "one row per example" in f.words
    assert "N, the batch size" in f.words and "axis 0" in f.words
    assert np.array_equal(f.rearranged, given.sum(axis=0))
    assert "Summed over the batch" in f.how


def test_is_a_bias_gradient_that_kept_the_batch_axis_reshaped_to_the_bias_shape():
    given = np.arange(4.0).reshape(1, 4)
    f = recognise(B_DB, (1, 4), (4,), given)
    assert f.codes == ("wrong_shape",) and "keepdims" in f.words and "(1, 4) = (1, M)" in f.words
    assert f.rearranged.shape == (4,) and np.array_equal(f.rearranged, given[0])


def test_is_an_input_gradient_not_reshaped_back_to_the_input_shape_named_and_reshaped():
    q = Quantity(Kind.GRADIENT, "∇_x L", ("N", "C", "H", "W"), "x", convention="batch")
    given = np.arange(48.0).reshape(2, 24)
    f = recognise(q, (2, 24), (2, 3, 2, 4), given)
    assert f.codes == ("wrong_shape", "not_reshaped")
    assert "(2, 24) = (N, C·H·W)" in f.words and "(2, 3, 2, 4) = (N, C, H, W)" in f.words
    assert np.array_equal(f.rearranged, given.reshape(2, 3, 2, 4))


def test_is_a_gradient_returned_in_the_place_of_another_named_with_both_symbols():
    others = {"∇_w L": (3, 4), "∇_b L": (4,)}
    f = recognise(B_DX, (3, 4), (6, 3), others=others)
    assert f.codes == ("wrong_shape",)
    assert "∇_w L" in f.words and "gradient for w" in f.words and "in the place of ∇_x L" in f.words
    assert "∇_w L" not in recognise(B_DX, (3, 4), (6, 3)).words     # only with the other shapes known


def test_is_a_gradient_in_the_place_of_another_named_in_the_column_convention_too():
    f = recognise(DX, (3, 5), (1, 5), others={"∇_W L": (3, 5)})
    assert f.codes == ("wrong_shape",) and "∇_W L" in f.words and "in the place of ∇_x L" in f.words


def test_is_a_batch_value_with_one_column_per_example_named_and_transposed_back():
    given = np.arange(24.0).reshape(4, 6)
    f = recognise(B_OUT, (4, 6), (6, 4), given)
    assert f.codes == ("layout_transposed",)
    assert "one column per example" in f.words and "one example per row" in f.words
    assert np.array_equal(f.rearranged, given.T)
    assert "one column per example" in recognise(B_DX, (3, 6), (6, 3)).words   # x's gradient keeps x's rows


def test_do_batch_expected_words_name_the_batch_dimensions():
    assert "(6, 4) = (N, M)" in B_OUT.expected_words((6, 4)) and "one row per example" in B_OUT.expected_words((6, 4))
    assert "(4,) = (M,)" in B_DB.expected_words((4,)) and "shape of b" in B_DB.expected_words((4,))


# -- conventions as data ---------------------------------------------------------------------------------------


@pytest.fixture
def course_root(tmp_path, monkeypatch):
    """A course folder with a conventions/ folder; the registered course is restored afterwards."""
    monkeypatch.setattr(convention, "_COURSE_ROOT", None)
    root = tmp_path / "course"
    (root / "conventions").mkdir(parents=True)
    return root


def _bundled_text(name: str) -> str:
    from importlib import resources

    return resources.files("grader.judging").joinpath("conventions", f"{name}.toml").read_text(encoding="utf-8")


def test_are_both_bundled_conventions_found_with_their_rules():
    assert {"batch", "column"} <= set(known_conventions())
    column, batch = get_convention("column"), get_convention("batch")
    assert column.gradient_layout == "row" and column.batch_axis is None
    assert batch.gradient_layout == "same" and batch.batch_axis == 0
    assert "row (1, n)" in column.summary and "one example per row" in batch.summary


def test_does_a_courses_file_override_a_bundled_word_and_add_a_convention(course_root):
    (course_root / "conventions" / "batch.toml").write_text(
        '[words]\nnot_summed = "{given_named}: not summed, says the course ({symbol})"\n', encoding="utf-8")
    mine = _bundled_text("column").replace('name = "column"', 'name = "mine"').replace(
        "the transposed-matrix convention ∇_W L = x ∇_z L of the recitation notes", "the layout of chapter 3")
    (course_root / "conventions" / "mine.toml").write_text(mine, encoding="utf-8")
    assert known_conventions(course_root) == ["batch", "column", "mine"]
    batch = get_convention("batch", course_root)
    assert batch.word("not_summed").endswith("says the course ({symbol})")
    assert batch.word("keepdims") == get_convention("batch").word("keepdims")      # the rest stays bundled
    assert "says the course" not in get_convention("batch").word("not_summed")   # only that course has it
    set_course_root(course_root)
    assert "says the course (∇_b L)" in recognise(B_DB, (6, 4), (4,)).words
    ours = Quantity(Kind.MATRIX_GRADIENT, "∇_W L", ("out", "in"), "W", convention="mine")
    words = recognise(ours, (5, 3), (3, 5)).words
    assert "the layout of chapter 3" in words and "recitation" not in words


def test_does_a_course_convention_extend_another(course_root):
    (course_root / "conventions" / "rows.toml").write_text(
        'extends = "batch"\nname = "rows"\ntitle = "Rows"\nsummary = "One example per row."\n'
        '[hints]\nlayout_transposed = "Put each example in a row."\n', encoding="utf-8")
    rows = get_convention("rows", course_root)
    assert rows.gradient_layout == "same" and rows.hint("layout_transposed") == "Put each example in a row."
    assert rows.word("not_summed") == get_convention("batch").word("not_summed")


def test_does_an_unknown_convention_name_the_closest_one():
    with pytest.raises(CourseError, match=r"no convention 'bacth'.*Did you mean 'batch'\?.*batch, column"):
        get_convention("bacth")


@pytest.mark.parametrize("text, needle", [
    ('name = "broken"\ntitle = ', "not valid TOML"),
    ('name = "broken"\ntitle = "t"\ngradient_layout = "row"\n[words]\n[hints]\n', "'summary' is missing"),
    ('extends = "column"\nname = "broken"\ngradient_layout = "diagonal"\n', "'gradient_layout'"),
    ('extends = "column"\nname = "broken"\n[words]\nflat = "a flat {givn} array"\n', "unknown field {givn}"),
    ('extends = "column"\nname = "broken"\n[words]\nflatt = "a flat array"\n', "Did you mean 'flat'"),
    ('extends = "column"\nname = "broken"\n[hints]\nlayout_transposd = "x"\n', "unknown diagnosis code"),
    ('extends = "batch"\nname = "other"\n', "the file is named broken.toml"),
])
def test_is_a_broken_convention_file_a_course_error_naming_file_and_key(course_root, text, needle):
    (course_root / "conventions" / "broken.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CourseError) as caught:
        get_convention("broken", course_root)
    assert "conventions/broken.toml" in caught.value.message and needle in caught.value.message


def test_do_a_quantitys_own_words_override_its_conventions():
    q = Quantity(Kind.MATRIX_GRADIENT, "∇_W L", ("out", "in"), "W",
                 words=(("transposed_matrix_gradient", "{given}: {symbol} flipped"),
                        ("hint.layout_transposed", "Flip it back.")))
    assert recognise(q, (5, 3), (3, 5)).words == "(5, 3): ∇_W L flipped"
    assert "recitation" in recognise(DW, (5, 3), (3, 5)).words                  # others keep the convention's
    assert q.hint("layout_transposed") == "Flip it back."
    assert DW.hint("layout_transposed") == get_convention("column").hint("layout_transposed")
    with pytest.raises(ValueError, match="unknown word key"):
        Quantity(Kind.COLUMN, "z", words=(("transposd", "x"),))
    with pytest.raises(ValueError, match="unknown field"):
        Quantity(Kind.COLUMN, "z", words=(("flat", "{nope}"),))


# -- hints from data ---------------------------------------------------------------------------------------------


def test_are_the_generic_hints_free_of_course_and_exercise_words():
    for word in ("ReLU", "σ", "recitation", "lecture", "T-N", "∇_w", "this course", "In this course"):
        assert not [code for code, hint in dx.HINTS.items() if word in hint], word


def test_does_a_hint_come_from_the_check_then_the_exercise_then_the_convention_then_the_generic_table():
    from types import SimpleNamespace

    check = SimpleNamespace(hints=(("layout_transposed", "check's"),))
    exercise = SimpleNamespace(hints={"layout_transposed": "exercise's", "zero": "exercise's zero"})
    pick = dx.choose_hint
    assert pick(["layout_transposed"], check=check, exercise=exercise, quantity=B_DW) == "check's"
    assert pick(["layout_transposed"], exercise=exercise, quantity=B_DW) == "exercise's"
    assert pick(["layout_transposed"], quantity=B_DW) == get_convention("batch").hint("layout_transposed")
    assert pick(["layout_transposed"], quantity=DW) == get_convention("column").hint("layout_transposed")
    assert pick(["layout_transposed"]) == dx.HINTS["layout_transposed"]
    assert pick(["zero"], check=check, exercise=exercise, quantity=B_DW) == "exercise's zero"
    assert pick(["sign_flipped"], check=check, exercise=exercise, quantity=B_DW) == dx.HINTS["sign_flipped"]


def test_does_the_class_reteach_table_use_each_exercises_own_hint(monkeypatch):
    from conftest import ROOT

    monkeypatch.setattr(convention, "_COURSE_ROOT", ROOT)
    hints = dx.reteach_hints([("wrong_mask", ["relu", "scanning_mlp"]), ("unstable", ["logistic"]),
                              ("layout_transposed", ["fc"]), ("overwrote_accumulation", ["fc", "scanning_mlp"])])
    assert "ReLU derivative" in hints["wrong_mask"] and "fc:" not in hints["wrong_mask"]
    assert "-log σ(s)" in hints["unstable"] and hints["unstable"] != dx.HINTS["unstable"]
    assert hints["layout_transposed"] == get_convention("column").hint("layout_transposed")
    assert hints["overwrote_accumulation"].startswith("fc: ") and "scanning_mlp: " in hints["overwrote_accumulation"]
    assert "lecture's" in hints["overwrote_accumulation"]
    assert hints["zero"] == dx.HINTS["zero"]
