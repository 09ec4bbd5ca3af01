"""Does every check catch its own planted bug, and only that one?

The product promise: for every check there is a realistic broken submission
that fails that check and no unrelated one. Each entry of BUGS below takes the
reference solution of one exercise, plants one mistake a student could make
(as a text patch, applied with conftest's `patch`), and names the one check
that must catch it. The patched file is graded alone, in instructor mode (live
reference, public and hidden cases) and in student mode (stored public cases
plus finite differences of the student's own forward).

A coverage test keeps the table complete: a new check of an exercise the
table covers (the bundled fc, relu, scanning_mlp and logistic) without a
planted bug fails the suite. Entries for an exercise the course under test
lacks (GRADE_COURSE) are skipped; exercises outside the table have their
planted bugs in tests/corpus/<id>/ (tests/test_corpus.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from grader import api

from conftest import BUNDLED, EXERCISES, checks_by_id, failing_ids, needs, patch, reference_source

MODES = ("instructor", "student")


@dataclass(frozen=True)
class PlantedBug:
    """One realistic mistake: where it goes (old -> new in the reference) and the check meant to catch it."""

    check_id: str
    exercise: str
    old: str
    new: str
    mistake: str
    #: Modes where the check legitimately cannot see the bug, with the reason (none so far).
    skip_modes: tuple[tuple[str, str], ...] = ()

    def source(self) -> str:
        return patch(reference_source(self.exercise), self.old, self.new)


BUGS: tuple[PlantedBug, ...] = (
    # ------------------------------------------------------------------ fc
    PlantedBug(
        "fc.forward", "fc",
        "        return self.W @ x + self.b\n",
        "        return self.W @ x\n",
        "forward forgets the bias: z = W x",
    ),
    PlantedBug(
        "fc.backward.dx", "fc",
        "        return dz @ self.W\n",
        "        return self.W.T @ dz.T          # W^T times the upstream gradient\n",
        "returns ∇_x L as an (in, 1) column (Wᵀ dzᵀ) instead of a (1, in) row",
    ),
    PlantedBug(
        "fc.backward.dW", "fc",
        "        self.dW = dz.T @ self.x.T\n",
        "        self.dW = np.ones_like(self.W) * self.x.T   # dz_i/dW_ij = x_j\n",
        "dW is the local derivative ∂z/∂W alone: forgot to multiply by the upstream gradient",
    ),
    PlantedBug(
        "fc.backward.db", "fc",
        "        self.db = dz.copy()\n",
        "        self.db = dz.T                  # same shape as b\n",
        "stores ∇_b L in b's own shape (out, 1) instead of the (1, out) row of the convention",
    ),
    PlantedBug(
        "fc.jacobian", "fc",
        "        return self.W.copy()\n",
        "        return self.W.T\n",
        "Jacobian in the denominator layout: returns Wᵀ (in, out) instead of W (out, in)",
    ),
    PlantedBug(
        "fc.hygiene.sequence", "fc",
        "        self.x = x\n        return self.W @ x + self.b\n",
        "        if self.x is None:               # keep the input of the first call\n"
        "            self.x = x\n"
        "        return self.W @ x + self.b\n",
        "forward caches x only on its first call, so a second backward uses the first call's x",
    ),
    PlantedBug(
        "fc.hygiene.mutation", "fc",
        "        self.dW = dz.T @ self.x.T\n        self.db = dz.copy()\n        return dz @ self.W\n",
        "        dz.shape = (-1,)                # work with a flat upstream vector\n"
        "        self.dW = np.outer(dz, self.x)\n"
        "        self.db = dz.reshape(1, -1)\n"
        "        return (dz @ self.W).reshape(1, -1)\n",
        "flattens the upstream gradient with `dz.shape = (-1,)`, reshaping the caller's array in place",
    ),
    PlantedBug(
        "fc.hygiene.determinism", "fc",
        "        return self.W.copy()\n",
        "        # z is linear in x, so its Jacobian is the same everywhere: estimate it numerically\n"
        "        # by central differences at a random point.\n"
        "        n_in = self.W.shape[1]\n"
        "        x0 = np.random.randn(n_in, 1)\n"
        "        eps = 1e-6\n"
        "        cols = []\n"
        "        for j in range(n_in):\n"
        "            e = np.zeros((n_in, 1))\n"
        "            e[j] = eps\n"
        "            cols.append((self.W @ (x0 + e) - self.W @ (x0 - e)) / (2 * eps))\n"
        "        return np.hstack(cols)\n",
        "jacobian() estimated by finite differences at an np.random point: right to 1e-10, but not reproducible",
    ),
    # ---------------------------------------------------------------- relu
    PlantedBug(
        "relu.forward", "relu",
        "        return np.maximum(x, 0.0)\n",
        "        return np.where(x > 0, x, 0.01 * x)\n",
        "forward is a leaky ReLU (slope 0.01 for negative inputs)",
    ),
    PlantedBug(
        # relu.backward and relu.scale judge the same returned ∇_x L; a bug that is wrong on ordinary inputs
        # (a wrong mask, a forgotten dz) fails both. What only relu.backward sees is the kink case, with
        # inputs of exactly 0: there 0/0 gives NaN.
        "relu.backward", "relu",
        "        mask = (self.x > 0).T\n",
        "        mask = (np.maximum(self.x, 0.0) / self.x).T    # relu(x)/x is 1 or 0\n",
        "derivative computed as relu(x)/x: NaN (0/0) at an input of exactly 0",
    ),
    PlantedBug(
        "relu.jacobian", "relu",
        "        return np.diag((x[:, 0] > 0).astype(float))\n",
        "        return np.diag(np.maximum(x[:, 0], 0.0))\n",
        "jacobian(x) puts relu(x) on the diagonal instead of the derivative (x > 0)",
    ),
    PlantedBug(
        "relu.scale", "relu",
        "        mask = (self.x > 0).T\n        return dz * mask\n",
        "        J = np.diag((self.x[:, 0] > 0).astype(float))   # dy/dx, (n, n)\n"
        "        return dz @ J\n",
        "backward multiplies by an explicit n×n Jacobian (320 GB at n = 200,000)",
    ),
    PlantedBug(
        "relu.hygiene.sequence", "relu",
        "        return np.diag((x[:, 0] > 0).astype(float))\n",
        "        return np.diag((self.x[:, 0] > 0).astype(float))   # the mask of the last forward\n",
        "jacobian(x) ignores its argument and uses the x kept by the last forward",
    ),
    PlantedBug(
        "relu.hygiene.mutation", "relu",
        "        self.x = x\n        return np.maximum(x, 0.0)\n",
        "        x[x < 0] = 0.0\n        self.x = x\n        return x\n",
        "forward clips the caller's array in place: x[x < 0] = 0",
    ),
    PlantedBug(
        "relu.hygiene.determinism", "relu",
        "        self.x = x\n        return np.maximum(x, 0.0)\n",
        "        # jitter the input a tiny bit so that no entry sits exactly on the kink\n"
        "        self.x = x + 1e-13 * np.random.randn(*x.shape)\n"
        "        return np.maximum(self.x, 0.0)\n",
        "forward adds tiny np.random jitter to x to stay off the kink: right to 1e-13, not reproducible",
    ),
    # -------------------------------------------------------- scanning_mlp
    PlantedBug(
        "scanning_mlp.forward", "scanning_mlp",
        "        return np.hstack(columns)\n",
        "        return np.vstack(columns)\n",
        "stacks the window outputs with vstack: one (K·windows, 1) column instead of (K, windows)",
    ),
    PlantedBug(
        "scanning_mlp.backward.dX", "scanning_mlp",
        "            dX[:, t:t + self.N] += g_z1 @ self.W1     # ∇_{x(t)} L: (1, N)\n",
        "            dX[:, t:t + self.N] = g_z1 @ self.W1      # ∇_{x(t)} L: (1, N)\n",
        "`=` instead of `+=` for ∇_X: overlapping windows overwrite each other's contribution",
    ),
    PlantedBug(
        "scanning_mlp.backward.dW1", "scanning_mlp",
        "            g_z1 = (g_z2 @ self.W2) * (z1 > 0).T      # ∇_{z1} L: (1, H1)\n"
        "            self.db1 += g_z1\n"
        "            self.dW1 += g_z1.T @ x.T\n",
        "            g_a1 = g_z2 @ self.W2\n"
        "            g_z1 = g_a1 * (z1 > 0).T\n"
        "            self.db1 += g_z1\n"
        "            self.dW1 += g_a1.T @ x.T\n",
        "dW1 uses the gradient before the layer-1 ReLU mask (g_a1 instead of g_z1)",
    ),
    PlantedBug(
        "scanning_mlp.backward.db1", "scanning_mlp",
        "            self.db1 += g_z1\n",
        "            self.db1 = g_z1\n",
        "`=` instead of `+=` for db1: only the last window's contribution survives",
    ),
    PlantedBug(
        "scanning_mlp.backward.dW2", "scanning_mlp",
        "            self.dW2 += g_z2.T @ a1.T\n",
        "            self.dW2 += g_z2.T @ z1.T\n",
        "dW2 uses the layer-1 pre-activation z1 instead of the activation a1 = relu(z1)",
    ),
    PlantedBug(
        "scanning_mlp.backward.db2", "scanning_mlp",
        "            self.db2 += g_z2\n",
        "            self.db2 += g_out @ self.W3\n",
        "db2 forgets the layer-2 ReLU mask",
    ),
    PlantedBug(
        "scanning_mlp.backward.dW3", "scanning_mlp",
        "            self.dW3 += g_out.T @ a2.T\n",
        "            self.dW3 += g_out.T @ a2.T / len(self.cache)   # average over the windows\n",
        "dW3 averages the windows' contributions instead of summing them",
    ),
    PlantedBug(
        "scanning_mlp.backward.db3", "scanning_mlp",
        "            self.db3 += g_out\n",
        "            self.db3 += dO.sum(axis=1)\n",
        "db3 adds the sum over all windows inside the window loop, so it is counted T-N+1 times",
    ),
    PlantedBug(
        "scanning_mlp.accumulation", "scanning_mlp",
        "        self.dW1 = np.zeros_like(self.W1, dtype=float)\n"
        "        self.dW2 = np.zeros_like(self.W2, dtype=float)\n"
        "        self.dW3 = np.zeros_like(self.W3, dtype=float)\n"
        "        self.db1 = np.zeros((1, self.W1.shape[0]))\n"
        "        self.db2 = np.zeros((1, self.W2.shape[0]))\n"
        "        self.db3 = np.zeros((1, self.W3.shape[0]))\n",
        "        if self.dW1 is None:             # create the accumulators on the first call\n"
        "            self.dW1 = np.zeros_like(self.W1, dtype=float)\n"
        "            self.dW2 = np.zeros_like(self.W2, dtype=float)\n"
        "            self.dW3 = np.zeros_like(self.W3, dtype=float)\n"
        "            self.db1 = np.zeros((1, self.W1.shape[0]))\n"
        "            self.db2 = np.zeros((1, self.W2.shape[0]))\n"
        "            self.db3 = np.zeros((1, self.W3.shape[0]))\n",
        "weight gradients are zeroed only on the first backward, so a second call adds onto the first",
    ),
    PlantedBug(
        # The change must not alter any result when the same (already flattened) array comes in again: the
        # accumulation check feeds one X_b/dO_b to two objects in turn, so a bug that changes the values
        # of an input (e.g. `+=` into a view of dO) also fails scanning_mlp.accumulation.
        "scanning_mlp.hygiene.mutation", "scanning_mlp",
        "        T = X.shape[0]\n"
        "        self.T = T\n"
        "        self.cache = []\n"
        "        columns = []\n"
        "        for t in range(T - self.N + 1):\n"
        "            x = X[t:t + self.N]\n",
        "        X.shape = (-1,)                  # flat, so the windows are easy to slice\n"
        "        T = X.shape[0]\n"
        "        self.T = T\n"
        "        self.cache = []\n"
        "        columns = []\n"
        "        for t in range(T - self.N + 1):\n"
        "            x = X[t:t + self.N].reshape(-1, 1)\n",
        "forward flattens the input with `X.shape = (-1,)`, reshaping the caller's array in place",
    ),
    PlantedBug(
        "scanning_mlp.hygiene.determinism", "scanning_mlp",
        "            z2 = self.W2 @ a1 + self.b2\n",
        "            z2 = self.W2 @ a1 + self.b2\n"
        "            z2 += 1e-13 * np.random.standard_normal(z2.shape)   # dither off the ReLU kink\n",
        "forward dithers z2 with np.random noise: right to 1e-13, but not reproducible",
    ),
    # ------------------------------------------------------------ logistic
    PlantedBug(
        "logistic.dot.forward", "logistic",
        "        return (w.T @ x).item()\n",
        "        return float(np.sum(w * x.T))\n",
        "Dot.forward multiplies a column by a row: w * xᵀ broadcasts to (D, D), and its sum is not wᵀx",
    ),
    PlantedBug(
        "logistic.dot.backward.dw", "logistic",
        "        return du * self.x.T, du * self.w.T\n",
        "        return du * self.x, du * self.w.T\n",
        "Dot.backward returns ∇_w as a (D, 1) column (w's shape) instead of a (1, D) row",
    ),
    PlantedBug(
        "logistic.dot.backward.dx", "logistic",
        "        return du * self.x.T, du * self.w.T\n",
        "        return du * self.x.T, self.w.T\n",
        "Dot.backward forgets the upstream gradient in ∇_x",
    ),
    PlantedBug(
        "logistic.sigmoid.forward", "logistic",
        "        self.p = 1.0 / (1.0 + e) if u >= 0 else e / (1.0 + e)\n",
        "        self.p = e / (1.0 + e) if u >= 0 else 1.0 / (1.0 + e)\n",
        "stable sigmoid with its two branches swapped: computes σ(-u)",
    ),
    PlantedBug(
        "logistic.sigmoid.backward", "logistic",
        "        return dp * self.p * (1.0 - self.p)\n",
        "        return self.p * (1.0 - self.p)\n",
        "Sigmoid.backward returns the local derivative σ'(u) and forgets the upstream dp",
    ),
    PlantedBug(
        "logistic.neglog.forward", "logistic",
        "        return -np.log(self.p)\n",
        "        return -np.log10(self.p)\n",
        "NegLog uses the base-10 logarithm",
    ),
    PlantedBug(
        "logistic.neglog.backward", "logistic",
        "        return -dL / self.p\n",
        "        return -1.0 / self.p\n",
        "NegLog.backward ignores dL (assumes it is always 1)",
    ),
    PlantedBug(
        # logistic.forward and logistic.stability both judge the loss; only a bug confined to moderate |s|
        # (the main cases have |wᵀx| <= 3, the stability cases 800) fails forward alone.
        "logistic.forward", "logistic",
        "        # -log σ(s) = log(1 + e^(-s)), computed without overflow.\n"
        "        return float(np.logaddexp(0.0, -self.s))\n",
        "        # -log σ(s) = log(1 + e^(-s)): asymptotes for large |s|, the formula otherwise\n"
        "        if self.s < -30:\n"
        "            return -self.s\n"
        "        if self.s > 30:\n"
        "            return float(np.exp(-self.s))\n"
        "        return float(np.log(1 + np.exp(self.s)))\n",
        "hand-made stable loss: the asymptotes for |s| > 30 are right, the middle branch has exp(s) for exp(-s)",
    ),
    PlantedBug(
        # Same for ∇_w: logistic.stability judges it at |s| = 800 too.
        "logistic.backward.dw", "logistic",
        "        return self.du * self.x.T\n",
        "        if self.s > 30:                  # p == 1: nothing to learn\n"
        "            return np.zeros((1, self.x.shape[0]))\n"
        "        if self.s < -30:                 # p == 0: -dL/ds == 1\n"
        "            return -self.y * self.x.T\n"
        "        return -self.y * p * (1 - p) * self.x.T\n",
        "∇_w with exact saturated cases, but the middle branch uses σ'(s) = p(1-p) instead of 1-p",
    ),
    PlantedBug(
        "logistic.backward.dp", "logistic",
        "            self.dp = float(np.divide(-1.0, p))\n",
        "            self.dp = float(np.divide(1.0, p))\n",
        "self.dp = 1/p: lost the minus sign of d(-log p)/dp",
    ),
    PlantedBug(
        # Only visible when y = -1, which public-1 and hidden-2 have.
        "logistic.backward.du", "logistic",
        "        self.du = -self.y * one_minus_p\n        return self.du * self.x.T\n",
        "        ds = -one_minus_p                # dL/ds\n"
        "        self.du = ds\n"
        "        return self.y * ds * self.x.T    # ds/du = y\n",
        "self.du holds ∂L/∂s: the factor ∂s/∂u = y is applied to ∇_w but not to the stored du",
    ),
    PlantedBug(
        "logistic.batch.loss", "logistic",
        "        loss = float(np.mean(np.logaddexp(0.0, -s)))\n",
        "        loss = float(np.sum(np.logaddexp(0.0, -s)))\n",
        "batch loss is the sum over the batch instead of the mean",
    ),
    PlantedBug(
        "logistic.batch.grad", "logistic",
        "        grad = -((y * one_minus_p) @ X)[None, :] / X.shape[0]\n",
        "        grad = -((y * one_minus_p) @ X)[None, :]\n",
        "batch gradient forgets the 1/B of the mean (training still converges)",
    ),
    PlantedBug(
        "logistic.predict", "logistic",
        "        return np.where((X @ self.w)[:, 0] >= 0, 1, -1)\n",
        "        return ((X @ self.w)[:, 0] >= 0).astype(int)\n",
        "predict returns labels 0/1 instead of ±1",
    ),
    PlantedBug(
        "logistic.stability", "logistic",
        "        return float(np.logaddexp(0.0, -self.s))\n",
        "        return float(-np.log(1.0 / (1.0 + np.exp(-self.s))))\n",
        "loss computed as -log σ(s) directly: exp(800) overflows and the loss is inf at y·wᵀx = -800",
    ),
    PlantedBug(
        "logistic.train", "logistic",
        "        model.w = model.w - lr * grad.T\n",
        "        model.w = model.w + lr * grad.T\n",
        "train does gradient ascent",
    ),
    PlantedBug(
        "logistic.hygiene.sequence", "logistic",
        "        return dp * self.p * (1.0 - self.p)\n",
        "        if not hasattr(self, \"slope\"):    # σ'(u), computed once\n"
        "            self.slope = self.p * (1.0 - self.p)\n"
        "        return dp * self.slope\n",
        "Sigmoid.backward computes σ'(u) on its first call and reuses it after the next forward",
    ),
    PlantedBug(
        # The probe runs public-1, whose labels yb include -1.
        "logistic.hygiene.mutation", "logistic",
        "        s = y * (X @ self.w)[:, 0]                     # (B,)\n"
        "        loss = float(np.mean(np.logaddexp(0.0, -s)))\n"
        "        one_minus_p = np.exp(-np.logaddexp(0.0, s))    # σ(-s), stable\n"
        "        grad = -((y * one_minus_p) @ X)[None, :] / X.shape[0]\n",
        "        y[y < 0] = 0                     # 0/1 labels for the cross-entropy form\n"
        "        u = (X @ self.w)[:, 0]\n"
        "        loss = float(np.mean(np.logaddexp(0.0, u) - y * u))\n"
        "        p = np.exp(-np.logaddexp(0.0, -u))\n"
        "        grad = ((p - y) @ X)[None, :] / X.shape[0]\n",
        "batch_loss_and_grad turns the caller's ±1 labels into 0/1 in place (the values are right)",
    ),
    PlantedBug(
        "logistic.hygiene.determinism", "logistic",
        "        grad = -((y * one_minus_p) @ X)[None, :] / X.shape[0]\n",
        "        grad = -((y * one_minus_p) @ X)[None, :] / X.shape[0]\n"
        "        grad += 1e-12 * np.random.randn(*grad.shape)   # gradient noise helps training\n",
        "batch gradient gets tiny np.random 'gradient noise': right to 1e-12, but not reproducible",
    ),
)

#: Bugs that must fail a given set of checks and no other: one property can belong to several checks (a
#: gradient stored and returned), and a bug must never also cost a check that owns another property.
#: (check ids, exercise, old, new, mistake).
SHARED: tuple[tuple[frozenset, str, str, str, str], ...] = (
    (frozenset({"logistic.backward.dw", "logistic.backward.du"}), "logistic",
     "        self.du = -self.y * one_minus_p\n",
     "        self.du = -one_minus_p                  # dL/du\n",
     "LogisticRegression.backward drops the label: every value stays finite at y·wᵀx = ±800, so "
     "logistic.stability (which owns behaviour at extreme logits) must not fail too"),
    (frozenset({"logistic.hygiene.mutation"}), "logistic",
     "        s = y * (X @ self.w)[:, 0]                     # (B,)\n",
     "        X *= y[:, None]                                # fold the labels into the examples\n"
     "        s = (X @ self.w)[:, 0]\n"
     "        y = np.ones_like(y)\n",
     "batch_loss_and_grad multiplies the caller's X by the labels in place (its own results are right): "
     "predict, called later, must get its own copy and pass"),
    (frozenset({"logistic.predict"}), "logistic",
     "        return np.where((X @ self.w)[:, 0] >= 0, 1, -1)\n",
     "        return np.where((X @ self.w)[:, 0] > 0, 1, -1)\n",
     "predict says -1 exactly on the decision boundary wᵀx = 0, where the statement asks for +1"),
)

SHARED_CASES = [pytest.param(checks, ex, old, new, mistake, mode, id=f"{'+'.join(sorted(checks))}-{mode}")
                for checks, ex, old, new, mistake in SHARED for mode in MODES]


@pytest.mark.parametrize("checks, exercise, old, new, mistake, mode", SHARED_CASES)
def test_does_a_bug_fail_only_the_checks_that_own_its_property(checks, exercise, old, new, mistake, mode,
                                                                 grade_sources):
    """Does this patched reference fail exactly the checks that own the property it breaks?"""
    report = grade_sources({exercise: patch(reference_source(exercise), old, new)}, mode=mode, exercise=exercise)
    details = {c.id: (c.diagnosis, c.message) for e in report.exercises for c in e.checks if not c.passed}
    assert failing_ids(report) == set(checks), f"{mistake}: failing checks {details}"


@pytest.mark.parametrize("mode", MODES)
def test_does_the_accumulation_check_name_every_leaking_gradient_at_once(mode, grade_sources):
    """Are all six weight gradients that carry over named in one run, not one per run?"""
    (bug,) = [b for b in BUGS if b.check_id == "scanning_mlp.accumulation"]
    report = grade_sources({"scanning_mlp": bug.source()}, mode=mode, exercise="scanning_mlp")
    check = checks_by_id(report)["scanning_mlp.accumulation"]
    assert check.diagnosis == ("accumulated_across_calls",)
    for name in ("dW1", "db1", "dW2", "db2", "dW3", "db3"):
        assert name in check.message, check.message


@pytest.mark.parametrize("mode", MODES)
def test_is_a_hang_in_forward_blamed_on_forward_alone(mode, grade_sources):
    """When only ReLU.forward hangs, is that call named, and does every other check say it could not run?"""
    source = patch(reference_source("relu"), "        self.x = x\n        return np.maximum(x, 0.0)\n",
                   "        while True:                      # waits for a condition that never comes\n"
                   "            pass\n")
    report = grade_sources({"relu": source}, mode=mode, exercise="relu", timeout=1.5)
    (ex,) = report.exercises
    assert ex.status == "timeout" and "ReLU.forward(x) did not finish" in ex.message
    checks = checks_by_id(report)
    for check in checks.values():
        assert check.diagnosis == ("timeout",), (check.id, check.diagnosis, check.message)
        assert "ReLU.forward(x) did not finish" in check.message, (check.id, check.message)
    assert checks["relu.forward"].message.startswith("ReLU.forward(x) did not finish")
    assert checks["relu.jacobian"].message.startswith("ReLU.jacobian(x) was not run: ReLU.forward(x) did not finish")
    assert "ReLU.backward(dz) was not run: ReLU.forward(x) did not finish" in checks["relu.scale"].message
    assert "ReLU() did not finish" not in " ".join(c.message for c in checks.values())


FC_FLOAT32 = (
    ("        self.x = x\n        return self.W @ x + self.b\n",
     "        self.x = x.astype(np.float32)\n"
     "        return self.W.astype(np.float32) @ self.x + self.b.astype(np.float32)\n"),
    ("        self.dW = dz.T @ self.x.T\n", "        self.dW = dz.T.astype(np.float32) @ self.x.T\n"),
    ("        return dz @ self.W\n", "        return dz.astype(np.float32) @ self.W.astype(np.float32)\n"),
)


@pytest.mark.parametrize("mode", MODES)
def test_does_a_correct_fc_mixing_float32_and_float64_get_full_marks(mode, grade_sources):
    """Is precision judged on the whole trial, so float32 work with a float64 `db = dz.copy()` passes?"""
    source = reference_source("fc")
    for old, new in FC_FLOAT32:
        source = patch(source, old, new)
    report = grade_sources({"fc": source}, mode=mode, exercise="fc")
    details = {c.id: (c.diagnosis, c.message) for e in report.exercises for c in e.checks if not c.passed}
    assert not details, details


#: Checks for which no realistic bug fails that check alone, each with a comment saying which other check
#: always fails too and why. Empty: every check of the course has an isolated bug in BUGS. A check listed
#: here must not also be in BUGS, and the coverage test still requires every check to be in one of the two.
KNOWN_UNISOLATED: frozenset[str] = frozenset()

CASES = [pytest.param(bug, mode, id=f"{bug.check_id}-{mode}") for bug in BUGS for mode in MODES]


def covered_check_ids() -> set[str]:
    """Every check of the exercises this table is written for."""
    covered = {bug.exercise for bug in BUGS}
    return {c.id for e in api.list_exercises() if e.id in covered for c in e.checks}


@pytest.mark.parametrize("bug, mode", CASES)
def test_does_the_planted_bug_fail_only_its_own_check(bug, mode, grade_sources):
    """Does this patched reference fail exactly the check it was written for, with a diagnosis?"""
    reason = dict(bug.skip_modes).get(mode)
    if reason:
        pytest.skip(reason)
    report = grade_sources({bug.exercise: bug.source()}, mode=mode, exercise=bug.exercise)
    assert report.mode == mode
    failing = failing_ids(report)
    details = {c.id: (c.diagnosis, c.message) for e in report.exercises for c in e.checks if not c.passed}
    assert failing == {bug.check_id}, f"{bug.mistake}: failing checks {details}"
    (check,) = [c for e in report.exercises for c in e.checks if c.id == bug.check_id]
    assert check.diagnosis, f"{bug.check_id} failed without a diagnosis: {check.message}"


@needs(*BUNDLED)
def test_does_every_check_have_exactly_one_planted_bug():
    """Is every check of every exercise the table covers either caught by a planted bug or listed as unisolated,
    and does the table cover every bundled exercise?"""
    ids = [bug.check_id for bug in BUGS]
    assert len(ids) == len(set(ids)), "a check has more than one entry"
    assert not set(ids) & KNOWN_UNISOLATED
    assert {bug.exercise for bug in BUGS} == set(BUNDLED)
    assert set(ids) | KNOWN_UNISOLATED == covered_check_ids()


def test_does_each_planted_bug_belong_to_its_own_exercise():
    """Does each entry's check id belong to the exercise whose file it patches (exercises the course has)?"""
    owner = {c.id: e.id for e in api.list_exercises() for c in e.checks}
    present = [bug for bug in BUGS if bug.exercise in EXERCISES]
    if not present:
        pytest.skip("the course under test has none of the exercises this table is written for")
    for bug in present:
        assert owner.get(bug.check_id) == bug.exercise, bug.check_id


@pytest.mark.course
@pytest.mark.parametrize("mode", MODES)
def test_does_the_unpatched_reference_pass_every_check(mode, grade_sources):
    """Does the reference itself, graded the same way, pass every check (so every failure above is the bug's)?"""
    for exercise in api.list_exercises():
        report = grade_sources({exercise.id: reference_source(exercise.id)}, mode=mode, exercise=exercise.id)
        assert report.mode == mode
        assert failing_ids(report) == set(), exercise.id
        assert {c.id for e in report.exercises for c in e.checks} == {c.id for c in exercise.checks}
