"""Exercise `relu`: the rectified linear unit, forward and backward.

Convention (numerator layout, as in the lecture notes):
- a vector is a column: x and y = relu(x) have shape (n, 1);
- the gradient of the scalar loss L with respect to a column vector of shape
  (n, 1) is a row vector of shape (1, n);
- the Jacobian ∂y/∂x has shape (n, n) and entry [i, j] is ∂y_i/∂x_j. For ReLU
  it is diagonal, so `backward` must never build it: an elementwise product
  with the upstream row gives the same answer in O(n) memory.

At an input of exactly 0 the derivative is undefined; either 0 or 1 is
accepted there.
"""

import numpy as np


class ReLU:
    """y = max(0, x), elementwise."""

    def __init__(self):
        self.x = None

    def forward(self, x):
        """x: (n, 1) column; returns y = max(0, x): (n, 1) column.

        Keeps what `backward` needs; does not modify x.
        """
        ### BEGIN SOLUTION
        self.x = x
        return np.maximum(x, 0.0)
        ### END SOLUTION

    def backward(self, dz):
        """dz: ∇_y L (1, n) row; returns ∇_x L: (1, n) row.

        Uses an elementwise mask: never forms the (n, n) Jacobian.
        Call `forward` first.
        """
        ### BEGIN SOLUTION
        mask = (self.x > 0).T
        return dz * mask
        ### END SOLUTION

    def jacobian(self, x):
        """x: (n, 1) column; returns the Jacobian ∂y/∂x: (n, n), diagonal."""
        ### BEGIN SOLUTION
        return np.diag((x[:, 0] > 0).astype(float))
        ### END SOLUTION
