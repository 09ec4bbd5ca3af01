"""Exercise `sigmoid`: the logistic sigmoid as a layer, forward and backward.

Convention (numerator layout, as in the lecture notes):
- a vector is a column: z and a = σ(z) have shape (n, 1);
- the gradient of the scalar loss L with respect to a column vector of shape
  (n, 1) is a row vector of shape (1, n).

Dimensions: n = number of units.
"""

import numpy as np


class Sigmoid:
    """a = σ(z) = 1 / (1 + e^(-z)), elementwise."""

    def forward(self, z):
        """z: (n, 1) column; returns a = σ(z): (n, 1) column.

        Keeps what `backward` needs; does not modify z.
        """
        ### BEGIN SOLUTION
        self.a = 0.5 * (1.0 + np.tanh(0.5 * z))
        return self.a
        ### END SOLUTION

    def backward(self, da):
        """da: ∇_a L (1, n) row; returns dz: ∇_z L (1, n) row.

        Call `forward` first.
        """
        ### BEGIN SOLUTION
        return da * (self.a * (1.0 - self.a)).T
        ### END SOLUTION
