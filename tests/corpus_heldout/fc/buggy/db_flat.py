import numpy as np


class Linear:
    """Fully connected layer z = Wx + b"""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        out = self.W @ x
        out = out + self.b
        return out

    def backward(self, dz):
        # bias just passes the gradient through
        self.db = dz.reshape(-1)
        # outer product, same shape as W
        self.dW = dz.T @ self.x.T
        dx = dz @ self.W
        return dx

    def jacobian(self):
        return self.W.copy()
