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
        n_out, n_in = self.W.shape
        self.dW = np.zeros((n_out, n_in))
        for i in range(n_out):
            for j in range(n_in):
                # weight W_ij connects input j to output i
                self.dW[i, j] = dz[0, i] * self.x[j - 1, 0]
        self.db = dz.copy()
        return dz @ self.W

    def jacobian(self):
        return self.W.copy()
