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
        # bias gradient = upstream gradient summed up (keepdims so it stays 2-D)
        self.db = np.sum(dz, axis=1, keepdims=True)
        return dz @ self.W

    def jacobian(self):
        return self.W.copy()
