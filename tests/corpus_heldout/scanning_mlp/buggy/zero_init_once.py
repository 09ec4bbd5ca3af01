import numpy as np


class ScanningMLP:
    """Three-layer MLP scanned with stride 1."""

    def __init__(self, W1, b1, W2, b2, W3, b3, N):
        self.W1, self.b1 = W1, b1
        self.W2, self.b2 = W2, b2
        self.W3, self.b3 = W3, b3
        self.N = int(N)
        self.T = None
        self.cache = []
        self.dW1 = self.dW2 = self.dW3 = None
        self.db1 = self.db2 = self.db3 = None

    def _zero_grads(self):
        self.dW1 = np.zeros_like(self.W1, dtype=float)
        self.dW2 = np.zeros_like(self.W2, dtype=float)
        self.dW3 = np.zeros_like(self.W3, dtype=float)
        self.db1 = np.zeros((1, self.b1.shape[0]))
        self.db2 = np.zeros((1, self.b2.shape[0]))
        self.db3 = np.zeros((1, self.b3.shape[0]))

    def forward(self, X):
        self.T = X.shape[0]
        self.cache = []
        cols = []
        for t in range(self.T - self.N + 1):
            x = X[t:t + self.N]
            z1 = self.W1 @ x + self.b1
            a1 = np.maximum(z1, 0.0)
            z2 = self.W2 @ a1 + self.b2
            a2 = np.maximum(z2, 0.0)
            self.cache.append((x, z1, a1, z2, a2))
            cols.append(self.W3 @ a2 + self.b3)
        return np.hstack(cols)

    def backward(self, dO):
        # set the accumulators to zero (first time only), then only use +=
        if self.dW1 is None:
            self._zero_grads()
        dX = np.zeros((1, self.T))
        for t, (x, z1, a1, z2, a2) in enumerate(self.cache):
            g = dO[:, t:t + 1].T
            self.db3 += g
            self.dW3 += g.T @ a2.T
            g = (g @ self.W3) * (z2 > 0).T
            self.db2 += g
            self.dW2 += g.T @ a1.T
            g = (g @ self.W2) * (z1 > 0).T
            self.db1 += g
            self.dW1 += g.T @ x.T
            dX[:, t:t + self.N] += g @ self.W1
        return dX
