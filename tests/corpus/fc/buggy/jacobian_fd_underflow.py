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
        return dz @ self.W

    def jacobian(self):
        # numerical Jacobian, column by column; the smaller h the more accurate
        h = 1e-330
        n_out, n_in = self.W.shape
        x0 = np.zeros((n_in, 1))
        z0 = self.W @ x0 + self.b
        J = np.zeros((n_out, n_in))
        for j in range(n_in):
            xh = x0.copy()
            xh[j, 0] += h
            J[:, j] = ((self.W @ xh + self.b - z0) / h)[:, 0]
        return J
