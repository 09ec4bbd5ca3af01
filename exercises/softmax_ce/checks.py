"""Checks for exercise `softmax_ce`, declared from reference/softmax_ce.py (see docs/authoring.md)."""

from grader.authoring import functions, labels, special


@special(points=1, diagnosis="stale_cache")
def own_cache(student, case):
    """Each backward call uses the cache it is given, not whatever the last forward call left."""
    _, cache = student.softmax_ce_forward(case["logits"], case["y"])
    _, other = student.softmax_ce_forward(2.0 * case["logits"][::-1], case["y"][::-1].copy())
    student.softmax_ce_backward(1.0, other)
    late = student.softmax_ce_backward(1.0, cache)
    _, fresh = student.softmax_ce_forward(case["logits"], case["y"])
    student.expect_close(late, student.softmax_ce_backward(1.0, fresh))


EXERCISE = functions(
    "softmax_ce",
    convention="batch",
    title="Softmax cross-entropy",
    summary="softmax_ce_forward(logits, y) -> (loss, cache); softmax_ce_backward(dloss, cache) -> ∇_logits L.",
    order=6,
    inputs={"y": labels("C")},
    public=[{"N": 5, "C": 4}, {"N": 8, "C": 3}],
    hidden=[{"N": 3, "C": 6}, {"N": 7, "C": 2}],
    extreme={"logits": 1000.0},
    dims={"C": "the number of classes"},
    points={"forward": 2, "backward.dlogits": 3, "stability": 2},
    special=[own_cache],
)
