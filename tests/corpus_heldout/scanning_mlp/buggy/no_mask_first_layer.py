"""scanning_mlp -- forward/backward of a scanned MLP."""

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
        O = []
        for t in range(self.T - self.N + 1):
            x = X[t:t + self.N]
            z1 = np.dot(self.W1, x) + self.b1
            a1 = np.maximum(z1, 0.0)
            z2 = np.dot(self.W2, a1) + self.b2
            a2 = np.maximum(z2, 0.0)
            O.append(np.dot(self.W3, a2) + self.b3)
            self.cache.append({"x": x, "z1": z1, "a1": a1, "z2": z2, "a2": a2})
        return np.hstack(O)

    def backward(self, dO):
        self.dW1 = np.zeros_like(self.W1, dtype=float)
        self.dW2 = np.zeros_like(self.W2, dtype=float)
        self.dW3 = np.zeros_like(self.W3, dtype=float)
        self.db1 = np.zeros((1, len(self.b1)))
        self.db2 = np.zeros((1, len(self.b2)))
        self.db3 = np.zeros((1, len(self.b3)))
        dX = np.zeros((1, self.T))
        for t, c in enumerate(self.cache):
            d_out = dO[:, t:t + 1].T                       # (1, K)
            self.dW3 += np.dot(d_out.T, c["a2"].T)
            self.db3 += d_out
            d_a2 = np.dot(d_out, self.W3)                  # (1, H2)
            d_z2 = d_a2 * (c["z2"] > 0).T
            self.dW2 += np.dot(d_z2.T, c["a1"].T)
            self.db2 += d_z2
            d_z1 = np.dot(d_z2, self.W2)                   # (1, H1)
            self.dW1 += np.dot(d_z1.T, c["x"].T)
            self.db1 += d_z1
            dX[:, t:t + self.N] += np.dot(d_z1, self.W1)
        return dX
