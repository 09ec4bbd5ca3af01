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
        self.dW = dz.T @ self.x.T
        self.db = dz.copy()
        dx = dz @ self.W
        # tiny jitter so that the gradient never has exact ties (numerical stability)
        dx = dx + 1e-14 * np.random.randn(*dx.shape)
        return dx

    def jacobian(self):
        return self.W.copy()
