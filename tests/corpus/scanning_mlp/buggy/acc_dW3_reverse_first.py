# Backward goes through the windows in reverse order, like backprop through time.
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
        out = []
        for t in range(self.T - self.N + 1):
            x = X[t:t + self.N]
            z1 = self.W1 @ x + self.b1
            a1 = z1 * (z1 > 0)
            z2 = self.W2 @ a1 + self.b2
            a2 = z2 * (z2 > 0)
            out.append(self.W3 @ a2 + self.b3)
            self.cache.append((x, z1, a1, z2, a2))
        return np.hstack(out)

    def backward(self, dO):
        K, H2 = self.W3.shape
        H1 = self.W2.shape[1]
        self.dW3 = np.zeros((K, H2))
        self.db3 = np.zeros((1, K))
        self.dW2 = np.zeros((H2, H1))
        self.db2 = np.zeros((1, H2))
        self.dW1 = np.zeros(self.W1.shape)
        self.db1 = np.zeros((1, H1))
        dX = np.zeros((1, self.T))
        for t in range(len(self.cache) - 1, -1, -1):
            x, z1, a1, z2, a2 = self.cache[t]
            d_out = dO[:, t][None, :]               # (1, K)
            self.dW3 = d_out.T @ a2.T
            self.db3 += d_out
            d_z2 = (d_out @ self.W3) * (z2 > 0).T
            self.dW2 += d_z2.T @ a1.T
            self.db2 += d_z2
            d_z1 = (d_z2 @ self.W2) * (z1 > 0).T
            self.dW1 += d_z1.T @ x.T
            self.db1 += d_z1
            dX[:, t:t + self.N] += d_z1 @ self.W1
        return dX
