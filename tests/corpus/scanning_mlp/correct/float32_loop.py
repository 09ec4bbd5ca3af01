# I do everything in float32 (faster, and the statement allows it).
import numpy as np

F = np.float32


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
        # float32 copies of the parameters (the originals stay untouched)
        self._p = [np.asarray(a, dtype=F) for a in (W1, b1, W2, b2, W3, b3)]

    def forward(self, X):
        W1, b1, W2, b2, W3, b3 = self._p
        X32 = X.astype(F)
        self.T = X32.shape[0]
        self.cache = []
        cols = []
        for t in range(self.T - self.N + 1):
            x = X32[t:t + self.N]
            z1 = W1 @ x + b1
            a1 = np.maximum(z1, F(0))
            z2 = W2 @ a1 + b2
            a2 = np.maximum(z2, F(0))
            cols.append(W3 @ a2 + b3)
            self.cache.append((x, z1, a1, z2, a2))
        return np.concatenate(cols, axis=1)

    def backward(self, dO):
        W1, b1, W2, b2, W3, b3 = self._p
        dO = dO.astype(F)
        self.dW1 = np.zeros(W1.shape, dtype=F)
        self.dW2 = np.zeros(W2.shape, dtype=F)
        self.dW3 = np.zeros(W3.shape, dtype=F)
        self.db1 = np.zeros((1, W1.shape[0]), dtype=F)
        self.db2 = np.zeros((1, W2.shape[0]), dtype=F)
        self.db3 = np.zeros((1, W3.shape[0]), dtype=F)
        dX = np.zeros((1, self.T), dtype=F)
        for t, (x, z1, a1, z2, a2) in enumerate(self.cache):
            g = dO[:, t:t + 1].T
            self.dW3 += g.T @ a2.T
            self.db3 += g
            g = (g @ W3) * (z2 > 0).T.astype(F)
            self.dW2 += g.T @ a1.T
            self.db2 += g
            g = (g @ W2) * (z1 > 0).T.astype(F)
            self.dW1 += g.T @ x.T
            self.db1 += g
            dX[:, t:t + self.N] += g @ W1
        return dX
