# Scanning MLP. Lists for the per-window values.
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
        self.xs, self.z1s, self.z2s, self.a2s = [], [], [], []
        out = []
        for t in range(self.T - self.N + 1):
            x = X[t:t + self.N]
            z1 = self.W1 @ x + self.b1
            self.a1 = np.maximum(z1, 0)
            z2 = self.W2 @ self.a1 + self.b2
            a2 = np.maximum(z2, 0)
            out.append(self.W3 @ a2 + self.b3)
            self.xs.append(x); self.z1s.append(z1); self.z2s.append(z2); self.a2s.append(a2)
        return np.hstack(out)

    def backward(self, dO):
        self.dW1 = np.zeros_like(self.W1); self.db1 = np.zeros((1, self.W1.shape[0]))
        self.dW2 = np.zeros_like(self.W2); self.db2 = np.zeros((1, self.W2.shape[0]))
        self.dW3 = np.zeros_like(self.W3); self.db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))
        for t in range(len(self.xs)):
            g = dO[:, t:t + 1].T
            self.dW3 += g.T @ self.a2s[t].T
            self.db3 += g
            g = (g @ self.W3) * (self.z2s[t] > 0).T
            self.dW2 += g.T @ self.a1.T
            self.db2 += g
            g = (g @ self.W2) * (self.z1s[t] > 0).T
            self.dW1 += g.T @ self.xs[t].T
            self.db1 += g
            dX[:, t:t + self.N] += g @ self.W1
        return dX
