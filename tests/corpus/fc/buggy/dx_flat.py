"""Fully connected layer."""
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
        return self.W @ x + self.b

    def backward(self, dz):
        g = dz[0]                      # upstream gradient as a vector
        self.dW = np.outer(g, self.x)
        self.db = dz.copy()
        # dL/dx_j = sum_i g_i W_ij
        return g @ self.W

    def jacobian(self):
        return self.W.copy()
