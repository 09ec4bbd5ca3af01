"""ScanningMLP.  Gradients are averaged over the windows (like a mini-batch)."""
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
        self.T = X.shape[0]
        self.cache = []
        res = []
        for t in range(self.T - self.N + 1):
            x = X[t:t + self.N]
            z1 = self.W1 @ x + self.b1
            a1 = z1 * (z1 > 0)
            z2 = self.W2 @ a1 + self.b2
            a2 = z2 * (z2 > 0)
            res.append(self.W3 @ a2 + self.b3)
            self.cache.append((x, z1, a1, z2, a2))
        return np.hstack(res)

    def backward(self, dO):
        dW1 = np.zeros(self.W1.shape)
        dW2 = np.zeros(self.W2.shape)
        dW3 = np.zeros(self.W3.shape)
        db1 = np.zeros((1, self.W1.shape[0]))
        db2 = np.zeros((1, self.W2.shape[0]))
        db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))
        for t, (x, z1, a1, z2, a2) in enumerate(self.cache):
            g3 = dO[:, t:t + 1].T
            dW3 += g3.T @ a2.T
            db3 += g3
            g2 = (g3 @ self.W3) * (z2 > 0).T
            dW2 += g2.T @ a1.T
            db2 += g2
            g1 = (g2 @ self.W2) * (z1 > 0).T
            dW1 += g1.T @ x.T
            db1 += g1
            dX[:, t:t + self.N] += g1 @ self.W1
        n = len(self.cache)
        self.dW1, self.dW2, self.dW3 = dW1 / n, dW2 / n, dW3 / n
        self.db1, self.db2, self.db3 = db1 / n, db2 / n, db3 / n
        return dX
