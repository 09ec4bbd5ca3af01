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
        m, n = self.W.shape
        dW = np.zeros((m, n), int)
        for i in range(m):
            for j in range(n):
                dW[i, j] = dz[0, i] * self.x[j, 0]     # dL/dW_ij = dL/dz_i * x_j
        self.dW = dW
        self.db = dz.copy()
        return dz @ self.W

    def jacobian(self):
        return self.W.copy()
