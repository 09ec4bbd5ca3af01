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
        columns = []
        for t in range(T - self.N + 1):
            x = X[t:t + self.N]
            z1 = self.W1 @ x + self.b1
            a1 = np.maximum(z1, 0.0)
            z2 = self.W2 @ a1 + self.b2
            a2 = np.maximum(z2, 0.0)
            columns.append(self.W3 @ a2 + self.b3)
            self.cache.append((x, z1, a1, z2, a2))
        return np.hstack(columns)

    def backward(self, dO):
        self.dW1 = np.zeros_like(self.W1, dtype=float)
        self.dW2 = np.zeros_like(self.W2, dtype=float)
        self.dW3 = np.zeros((self.W3.shape[1], self.W3.shape[0]))
        self.db1 = np.zeros((1, self.W1.shape[0]))
        self.db2 = np.zeros((1, self.W2.shape[0]))
        self.db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))
        for t, (x, z1, a1, z2, a2) in enumerate(self.cache):
            g_out = dO[:, t:t + 1].T
            self.db3 += g_out
            # recitation step: dW = a * dz
            self.dW3 += a2 @ g_out
            g_z2 = (g_out @ self.W3) * (z2 > 0).T
            self.db2 += g_z2
            self.dW2 += g_z2.T @ a1.T
            g_z1 = (g_z2 @ self.W2) * (z1 > 0).T
            self.db1 += g_z1
            self.dW1 += g_z1.T @ x.T
            dX[:, t:t + self.N] += g_z1 @ self.W1
        return dX
