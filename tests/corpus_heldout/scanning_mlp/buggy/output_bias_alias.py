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
        K = self.W3.shape[0]
        O = np.empty((K, T - self.N + 1))
        for t in range(T - self.N + 1):
            x = X[t:t + self.N]
            h1 = self.W1 @ x + self.b1
            r1 = np.maximum(h1, 0.0)
            h2 = self.W2 @ r1 + self.b2
            r2 = np.maximum(h2, 0.0)
            o = self.b3
            o += self.W3 @ r2
            O[:, t] = o[:, 0]
            self.cache.append((x, h1, r1, h2, r2))
        return O

    def backward(self, dO):
        self.dW1 = np.zeros_like(self.W1, dtype=float)
        self.dW2 = np.zeros_like(self.W2, dtype=float)
        self.dW3 = np.zeros_like(self.W3, dtype=float)
        self.db1 = np.zeros((1, self.W1.shape[0]))
        self.db2 = np.zeros((1, self.W2.shape[0]))
        self.db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))
        for t, (x, h1, r1, h2, r2) in enumerate(self.cache):
            g = dO[:, t:t + 1].T
            self.db3 += g
            self.dW3 += g.T @ r2.T
            g2 = (g @ self.W3) * (h2 > 0).T
            self.db2 += g2
            self.dW2 += g2.T @ r1.T
            g1 = (g2 @ self.W2) * (h1 > 0).T
            self.db1 += g1
            self.dW1 += g1.T @ x.T
            dX[:, t:t + self.N] += g1 @ self.W1
        return dX
