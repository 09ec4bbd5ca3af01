import numpy as np


class ScanningMLP:
    def __init__(self, W1, b1, W2, b2, W3, b3, N):
        self.W1, self.b1 = W1, b1
        self.W2, self.b2 = W2, b2
        self.W3, self.b3 = W3, b3
        self.N = int(N)
        self.T = None
        self.cache = []
        self.dW1 = self.dW2 = self.dW3 = None
        self.db1 = self.db2 = self.db3 = None

    def forward(self, X):
        self.T = len(X)
        self.cache = []
        cols = []
        for i in range(self.T - self.N + 1):
            xi = X[i:i + self.N]
            z1 = self.W1 @ xi + self.b1
            a1 = np.maximum(z1, 0.0)
            z2 = self.W2 @ a1 + self.b2
            a2 = np.maximum(z2, 0.0)
            cols.append(self.W3 @ a2 + self.b3)
            self.cache.append([xi, z1, a1, z2, a2])
        return np.hstack(cols)

    def backward(self, dO):
        # reset all the gradients
        self.dW1 = np.zeros_like(self.W1); self.db1 = np.zeros((1, len(self.b1)))
        self.dW2 = np.zeros_like(self.W2); self.db2 = np.zeros((1, len(self.b2)))
        self.dW3 = np.zeros_like(self.W3); self.db3 = np.zeros((1, len(self.b3)))
        dX = np.zeros((1, self.T))
        for i, (xi, z1, a1, z2, a2) in enumerate(self.cache):
            g = dO[:, i:i + 1].T
            self.dW3 += g.T @ a2.T
            self.db3 += g
            g = g @ self.W3 * (z2 > 0).T
            self.dW2 += g.T @ a1.T
            self.db2 += g
            g = g @ self.W2 * (z1 > 0).T
            self.dW1 += g.T @ xi.T
            self.db1 += g
            # gradient of this window's input goes to positions i..i+N-1
            dX[:, i:i + self.N] = g @ self.W1
        return dX
