import numpy as np


class Linear:
    """z = W x + b."""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        """x: (in, 1) column; returns z = W x + b: (out, 1) column."""
        self.x = x
        self.z = self.W @ x + self.b

    def backward(self, dz):
        """dz: (1, out); returns (1, in)."""
        self.dW = dz.T @ self.x.T
        self.db = dz.copy()
        return dz @ self.W

    def jacobian(self):
        return self.W.copy()
