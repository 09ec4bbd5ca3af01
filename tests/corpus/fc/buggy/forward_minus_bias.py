import numpy as np


class Linear:
    """Affine layer."""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        # z = Wx - b  (bias is a threshold)
        return self.W @ x - self.b

    def backward(self, dz):
        self.dW = dz.T @ self.x.T
        self.db = dz.copy()
        return dz @ self.W

    def jacobian(self):
        return self.W.copy()
