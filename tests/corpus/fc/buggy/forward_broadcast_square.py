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
        # flatten x so the matrix-vector product is a plain vector
        Wx = self.W.dot(x.ravel())
        return Wx + self.b

    def backward(self, dz):
        self.dW = dz.T.dot(self.x.T)
        self.db = dz.copy()
        return dz.dot(self.W)

    def jacobian(self):
        return self.W.copy()
