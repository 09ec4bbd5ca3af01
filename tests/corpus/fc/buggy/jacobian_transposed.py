"""fc.py"""

import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return self.W @ self.x + self.b

    def backward(self, dz):
        J = self.W                      # local jacobian dz/dx
        self.dW = dz.T @ self.x.T
        self.db = dz.copy()
        return dz @ J

    def jacobian(self):
        # rows indexed by the input, columns by the output
        n_out, n_in = self.W.shape
        J = np.zeros((n_in, n_out))
        for j in range(n_in):
            for i in range(n_out):
                J[j, i] = self.W[i, j]
        return J
