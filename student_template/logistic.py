"""Exercise `logistic`: logistic regression as a computation graph.

Labels are y ∈ {-1, +1}. For one example x (D, 1) and weights w (D, 1) the
graph has four nodes:
    u = wᵀx          (Dot)
    s = y·u
    p = σ(s)         (Sigmoid), σ(s) = 1 / (1 + e^(-s))
    L = -log p       (NegLog)
so L = -log σ(y wᵀx). With y = +1 this is the graph of the lecture notes.

Convention (numerator layout, as in the lecture notes):
- a vector is a column: w and x have shape (D, 1);
- the gradient of the scalar L with respect to a column vector of shape
  (D, 1) is a row vector of shape (1, D);
- a scalar may be a Python float, a numpy scalar, a 0-d array or a (1, 1)
  array. Note: numpy >= 2.4 refuses float() of a (1, 1) array such as wᵀx;
  use .item() to get the number out.

Batches put one example per row: X has shape (B, D) and y has shape (B,).
Dimensions: D = features, B = examples in a batch.

The loss must stay finite and accurate even when |wᵀx| is as large as 800,
where σ underflows to 0 and a direct -log σ(s) overflows.
"""

import numpy as np


class Dot:
    """u = wᵀx for two (D, 1) columns."""

    def forward(self, w, x):
        """w: (D, 1), x: (D, 1); returns u = wᵀx, a scalar."""
        raise NotImplementedError("Dot.forward")

    def backward(self, du):
        """du: ∂L/∂u, a scalar; returns (∇_w L, ∇_x L), each a (1, D) row."""
        raise NotImplementedError("Dot.backward")


class Sigmoid:
    """p = σ(u) = 1 / (1 + e^(-u)) for a scalar u."""

    def forward(self, u):
        """u: a scalar; returns p = σ(u), a scalar in [0, 1]."""
        raise NotImplementedError("Sigmoid.forward")

    def backward(self, dp):
        """dp: ∂L/∂p, a scalar; returns ∂L/∂u = dp · σ(u)(1 - σ(u)), a scalar."""
        raise NotImplementedError("Sigmoid.backward")


class NegLog:
    """L = -log p for a scalar p > 0."""

    def forward(self, p):
        """p: a scalar in (0, 1]; returns L = -log p, a scalar."""
        raise NotImplementedError("NegLog.forward")

    def backward(self, dL=1.0):
        """dL: ∂(final)/∂L, a scalar (1 when L is the loss); returns ∂/∂p = -dL / p."""
        raise NotImplementedError("NegLog.backward")


class LogisticRegression:
    """The graph u = wᵀx, s = y·u, p = σ(s), L = -log p, with weights w (D, 1).

    After `backward`: self.dp = ∂L/∂p = -1/p and self.du = ∂L/∂u = -y(1 - p),
    both scalars.
    """

    def __init__(self, w):
        """w: (D, 1) weight column; it is not modified."""
        self.w = w

    def forward(self, x, y):
        """x: (D, 1) column, y: +1 or -1; returns L = -log σ(y wᵀx), a scalar.

        Finite and accurate for |wᵀx| up to at least 800.
        """
        raise NotImplementedError("LogisticRegression.forward")

    def backward(self):
        """Returns ∇_w L: (1, D) row. Sets self.dp = -1/p and self.du = -y(1 - p).

        Call `forward` first.
        """
        raise NotImplementedError("LogisticRegression.backward")

    def batch_loss_and_grad(self, X, y):
        """X: (B, D), one example per row; y: (B,) of ±1.

        Returns (mean loss over the batch, a scalar; its gradient ∇_w: (1, D) row).
        """
        raise NotImplementedError("LogisticRegression.batch_loss_and_grad")

    def predict(self, X):
        """X: (B, D); returns (B,) labels in {-1, +1}: the sign of wᵀx (+1 at 0)."""
        raise NotImplementedError("LogisticRegression.predict")


def train(X, y, lr=0.1, steps=200):
    """Batch gradient descent on the mean logistic loss, starting from w = 0.

    X: (B, D), one example per row; y: (B,) of ±1; lr: step size; steps: number
    of updates. Returns the learned w: (D, 1) column.
    """
    raise NotImplementedError("train")
