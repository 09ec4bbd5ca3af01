import numpy as np


class Linear:
    """z = W x + b, W (out, in), b (out, 1)."""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x.copy()
        out = np.matmul(self.W, x)
        out = out + self.b
        return out

    def backward(self, dz):
        dW = np.matmul(dz.T, self.x.T)
        # db should look like b, so make it a column
        db = dz.T.copy()
        dx = np.matmul(dz, self.W)
        self.dW, self.db = dW, db
        return dx

    def jacobian(self):
        return self.W.copy()
