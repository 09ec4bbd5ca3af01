"""Questions about naming layouts in words (grader.convention)."""

from __future__ import annotations

import numpy as np

from grader.convention import Kind, Quantity, recognise

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
