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
        T = X.shape[0]
        self.T = T
        self.cache = []
        cols = []
        for t in range(T - self.N + 1):
            x = X[t:t + self.N]
            z1 = self.W1 @ x + self.b1
            a1 = np.maximum(z1, 0.0)
            z2 = self.W2 @ a1 + self.b2
            a2 = np.maximum(z2, 0.0)
            cols.append(self.W3 @ a2 + self.b3)
            self.cache.append((x, z1, a1, z2, a2))
        return np.hstack(cols)

    def backward(self, dO):
        H1, H2, K = self.W1.shape[0], self.W2.shape[0], self.W3.shape[0]
        self.dW1 = np.zeros_like(self.W1, dtype=float)
        self.dW2 = np.zeros_like(self.W2, dtype=float)
        self.dW3 = np.zeros_like(self.W3, dtype=float)
        self.db1 = np.zeros((1, H1))
        self.db2 = np.zeros((1, H2))
        self.db3 = np.zeros((1, K))
        dX = np.zeros((1, self.T))
        for t, (x, z1, a1, z2, a2) in enumerate(self.cache):
            dout = dO[:, t:t + 1].T
            self.dW3 += dout.T @ a2.T
            self.db3 += dout
            dz2 = (dout @ self.W3) * (z2 > 0).T
            # z2 = W2 * z1 + b2
            self.dW2 += dz2.T @ z1.T
            self.db2 += dz2
            dz1 = (dz2 @ self.W2) * (z1 > 0).T
            self.dW1 += dz1.T @ x.T
            self.db1 += dz1
            dX[:, t:t + self.N] += dz1 @ self.W1
        return dX
