"""Scanning MLP exercise."""

import numpy as np


def relu(v):
    return np.maximum(v, 0.0)


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
        self.xs, self.z1s, self.a1s, self.z2s, self.a2s = [], [], [], [], []
        n_win = T - self.N + 1
        O = np.zeros((self.W3.shape[0], n_win))
        for t in range(n_win):
            x = X[t:t + self.N]
            z1 = self.W1 @ x + self.b1
            a1 = relu(z1)
            z2 = self.W2 @ a1 + self.b2
            a2 = relu(z2)
            O[:, t:t + 1] = self.W3 @ a2 + self.b3
            self.xs.append(x)
            self.z1s.append(z1)
            self.a1s.append(a1)
            self.z2s.append(z2)
            self.a2s.append(a2)
        return O

    def backward(self, dO):
        T, N = self.T, self.N
        dX = np.zeros((1, T))
        self.dW1 = np.zeros_like(self.W1, dtype=float)
        self.dW2 = np.zeros_like(self.W2, dtype=float)
        self.dW3 = np.zeros_like(self.W3, dtype=float)
        self.db1 = np.zeros((1, self.W1.shape[0]))
        self.db2 = np.zeros((1, self.W2.shape[0]))
        self.db3 = np.zeros((1, self.W3.shape[0]))
        for t in range(T - N):
            gO = dO[:, t].reshape(1, -1)
            self.dW3 += gO.T @ self.a2s[t].T
            self.db3 += gO
            ga2 = gO @ self.W3
            gz2 = ga2 * (self.z2s[t] > 0).T
            self.dW2 += gz2.T @ self.a1s[t].T
            self.db2 += gz2
            ga1 = gz2 @ self.W2
            gz1 = ga1 * (self.z1s[t] > 0).T
            self.dW1 += gz1.T @ self.xs[t].T
            self.db1 += gz1
            dX[0, t:t + N] += (gz1 @ self.W1)[0]
        return dX
