"""Questions about the generic signatures of a wrong tensor (grader.judging.diagnosis)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.judging import diagnosis as dx

E = np.random.default_rng(0).standard_normal((3, 5))


def test_is_a_negated_tensor_named_sign_flipped():
    assert dx.diagnose_values(-E, E, rtol=1e-7).codes == (dx.SIGN_FLIPPED,)


@pytest.mark.parametrize("factor, words", [(2.0, "2 times"), (0.5, "1/2 times"), (6.0, "6 times"),
                                           (1 / 3, "1/3 times"), (0.3712, "0.3712 times")])
def test_is_a_scaled_tensor_named_scaled_with_its_factor(factor, words):
    finding = dx.diagnose_values(factor * E, E, rtol=1e-7)
    assert finding.codes == (dx.SCALED,) and words in finding.words


def test_is_an_all_zero_tensor_named_zero():
    assert dx.diagnose_values(np.zeros_like(E), E, rtol=1e-7).codes == (dx.ZERO,)


def test_is_an_unrelated_tensor_named_wrong_value():
    other = np.random.default_rng(9).standard_normal(E.shape)
    assert dx.diagnose_values(other, E, rtol=1e-7).codes == (dx.WRONG_VALUE,)


def test_does_a_nearly_scaled_tensor_with_one_bad_entry_not_count_as_scaled():
    g = 2 * E
    g[1, 1] += 1.0
    assert dx.diagnose_values(g, E, rtol=1e-7).codes == (dx.WRONG_VALUE,)


def test_does_every_code_have_a_hint():
    assert set(dx.HINTS) == set(dx.ALL_CODES)
    assert all(len(h) > 20 for h in dx.HINTS.values())


def test_does_the_scale_fit_return_the_least_squares_factor():
    alpha, resid = dx.scale_fit(3 * E, E)
    assert alpha == pytest.approx(3.0) and resid < 1e-12


def test_is_a_wrong_single_number_not_called_scaled_by_an_arbitrary_factor():
    assert dx.diagnose_values(np.array(0.51), np.array(0.73), rtol=1e-7).codes == (dx.WRONG_VALUE,)
    assert dx.diagnose_values(np.array(1.46), np.array(0.73), rtol=1e-7).codes == (dx.SCALED,)
    named = dx.diagnose_values(np.array(6 * 0.73), np.array(0.73), rtol=1e-7, factors={"B, the batch size": 6})
    assert named.codes == (dx.SCALED,) and "B, the batch size" in named.words


def test_does_a_window_fit_name_an_overwritten_sum_and_a_missing_edge_window():
    rng = np.random.default_rng(4)
    parts = [rng.standard_normal((3, 4)) for _ in range(5)]
    last_only = dx.fit_parts(parts[-1], parts, rtol=1e-7)
    assert last_only.codes == (dx.OVERWROTE_ACCUMULATION,) and "the last window" in last_only.words
    missing = dx.fit_parts(sum(parts[:-1]), parts, rtol=1e-7)
    assert missing.codes == (dx.WINDOW_OFFSET,) and "last 1" in missing.words
    assert dx.fit_parts(sum(parts) * 0.5, parts, rtol=1e-7) is None          # not a 0/1 combination
    assert dx.fit_parts(rng.standard_normal((3, 4)), parts, rtol=1e-7) is None


def test_does_a_known_wrong_answer_win_over_the_generic_signature():
    from grader.judging.mutants import KnownWrong, Mutant

    m = Mutant("flip", ("dx",), dx.WRONG_MASK, "an inverted mask")
    wrong = -E
    finding = dx.diagnose(wrong, E, rtol=1e-7, known=[KnownWrong(m, "dx", wrong.copy())])
    assert finding.codes == (dx.WRONG_MASK,) and "inverted mask" in finding.words


@pytest.mark.parametrize("factor, batch_hint", [(0.25, True), (4.0, True), (2.0, False), (0.3712, False)])
def test_does_the_scale_hint_mention_the_batch_size_only_when_the_factor_is_it(factor, batch_hint):
    finding = dx.diagnose_values(factor * E, E, rtol=1e-7, factors={"B, the batch size": 4.0})
    hint = finding.hint or dx.HINTS[dx.SCALED]
    assert finding.codes == (dx.SCALED,)
    assert ("1/B" in hint) is batch_hint and ("batch" in hint) is batch_hint
    assert batch_hint or "constant factor" in hint


def test_does_a_check_with_no_pattern_take_the_misconception_another_check_named_for_the_same_quantity():
    from grader.judging.checks import Target, ValueCheck
    from grader.judging.convention import Kind, Quantity
    from grader.outputs.results import CheckResult

    target = Target("dx", Quantity(Kind.ROW_GRADIENT, "∇_x L", ("1", "n"), "x"))
    checks = (ValueCheck("relu.backward", "b", 3, targets=(target,)),
              ValueCheck("relu.scale", "s", 1, targets=(target,), recipe="scale"))
    results = (CheckResult("relu.backward", "b", False, 0, 3, (dx.WRONG_MASK,), "it matches an inverted mask",
                           dx.HINTS[dx.WRONG_MASK]),
               CheckResult("relu.scale", "s", False, 0, 1, (dx.WRONG_VALUE,),
                           "the values differ from the expected ones, with no simple pattern (case scale).",
                           dx.HINTS[dx.WRONG_VALUE]))
    shared = dx.share_naming(checks, results)
    assert shared[0] == results[0]
    assert shared[1].diagnosis == (dx.WRONG_MASK,) and shared[1].hint == dx.HINTS[dx.WRONG_MASK]
    assert "no simple pattern" not in shared[1].message and "relu.backward" in shared[1].message
