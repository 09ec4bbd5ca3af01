"""fc.py -- my Linear layer (HW3)."""

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
        # remember the input for backprop
        self.x = x
        z = np.dot(self.W, x) + self.b
        return z

    def backward(self, dz):
        # dL/dx = dL/dz * dz/dx = dz W
        dx = np.dot(dz, self.W)
        # from recitation: dW = x * dz
        self.dW = np.dot(self.x, dz)
        self.db = dz.copy()
        return dx

    def jacobian(self):
        # dz_i/dx_j = W_ij
        return self.W.copy()
