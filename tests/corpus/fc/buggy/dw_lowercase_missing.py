import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None

    def forward(self, x):
        self.x = x
        return self.W @ x + self.b

    def backward(self, dz):
        self.dw = dz.T @ self.x.T
        self.db = dz.copy()
        return dz @ self.W

    def jacobian(self):
        return self.W.copy()
