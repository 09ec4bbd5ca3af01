"""ReLU with plain Python loops (slow but clear)."""
import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        n = x.shape[0]
        y = np.zeros((n, 1))
        for i in range(n):
            if x[i, 0] > 0:
                y[i, 0] = x[i, 0]
        return y

    def backward(self, dz):
        n = self.x.shape[0]
        dx = np.zeros((1, n))
        for i in range(n):
            if self.x[i, 0] > 0:
                dx[0, i] = dz[0, i]
        return dx

    def jacobian(self, x):
        n = x.shape[0]
        J = np.zeros((n, n))
        for i in range(n):
            if x[i, 0] > 0:
                J[i, i] = 1.0
        return J
