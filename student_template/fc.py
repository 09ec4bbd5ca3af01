"""Exercise `fc`: a fully connected (linear) layer, forward and backward.

Convention (numerator layout, as in the lecture notes):
- a vector is a column: x has shape (in, 1), z has shape (out, 1);
- the gradient of the scalar loss L with respect to a column vector of shape
  (n, 1) is a row vector of shape (1, n);
- the gradient of L with respect to a matrix keeps the matrix's shape: ∇_W L
  has shape (out, in) and entry [i, j] is ∂L/∂W_ij;
- the Jacobian ∂z/∂x has shape (out, in) and entry [i, j] is ∂z_i/∂x_j.

Dimensions: in = number of inputs, out = number of outputs.
"""

import numpy as np


class Linear:
    """z = W x + b.

    W: (out, in) weight matrix; b: (out, 1) bias column.
    After `backward`, `self.dW` holds ∇_W L (out, in) and `self.db` holds
    ∇_b L (1, out).
    """

    def __init__(self, W, b):
        """W: (out, in); b: (out, 1). Both are float arrays; neither is modified."""
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        """x: (in, 1) column; returns z = W x + b: (out, 1) column.

        Keeps what `backward` needs; does not modify x.
        """
        raise NotImplementedError("Linear.forward")

    def backward(self, dz):
        """dz: ∇_z L (1, out) row; returns ∇_x L: (1, in) row.

        Also sets self.dW = ∇_W L: (out, in) and self.db = ∇_b L: (1, out).
        Call `forward` first.
        """
        raise NotImplementedError("Linear.backward")

    def jacobian(self):
        """Returns the Jacobian ∂z/∂x: (out, in); entry [i, j] is ∂z_i/∂x_j."""
        raise NotImplementedError("Linear.jacobian")
