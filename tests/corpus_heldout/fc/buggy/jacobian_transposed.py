"""Exercise fc -- Linear layer."""

import numpy as np


class Linear:
    """z = W x + b.

    W: (out, in) weight matrix; b: (out, 1) bias column.
    """

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        self.z = self.W @ self.x + self.b
        return self.z

    def backward(self, dz):
        self.db = dz * 1.0
        self.dW = np.outer(dz, self.x)
        return dz @ self.W

    def jacobian(self):
        # Jacobian: rows indexed by the input, columns by the output
        # J[j, i] = dz_i / dx_j = W_ij
        n_out, n_in = self.W.shape
        J = np.zeros((n_in, n_out))
        for j in range(n_in):
            for i in range(n_out):
                J[j, i] = self.W[i, j]
        return J
