"""FC layer.  I use np.matrix in backward so that * is a matrix product."""
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
        g = np.matrix(dz)
        xm = np.matrix(self.x)
        self.dW = g.T * xm.T
        self.db = np.array(dz)
        return np.asarray(g * np.matrix(self.W))

    def jacobian(self):
        return self.W.copy()
