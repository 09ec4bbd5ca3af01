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
        self.x = x
        return self.W @ x + self.b

    def backward(self, dz):
        self.dW = dz.T @ self.x.T
        self.db = dz.copy()
        return dz @ self.W

    def jacobian(self):
        """dz/dx is just the weight matrix."""
        return self.w.copy()
