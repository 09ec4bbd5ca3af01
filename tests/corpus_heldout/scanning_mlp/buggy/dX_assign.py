"""scanning_mlp.py"""
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
        outs = []
        for t in range(self.T - self.N + 1):
            x = X[t:t + self.N]
            z1 = self.W1 @ x + self.b1
            a1 = np.maximum(z1, 0)
            z2 = self.W2 @ a1 + self.b2
            a2 = np.maximum(z2, 0)
            o = self.W3 @ a2 + self.b3
            self.cache.append((x, z1, a1, z2, a2))
            outs.append(o)
        return np.concatenate(outs, axis=1)

    def backward(self, dO):
        self.dW1 = np.zeros(self.W1.shape)
        self.dW2 = np.zeros(self.W2.shape)
        self.dW3 = np.zeros(self.W3.shape)
        self.db1 = np.zeros((1, self.W1.shape[0]))
        self.db2 = np.zeros((1, self.W2.shape[0]))
        self.db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))
        for t in range(len(self.cache)):
            x, z1, a1, z2, a2 = self.cache[t]
            go = dO[:, t:t + 1].T
            self.dW3 += go.T @ a2.T
            self.db3 += go
            gz2 = (go @ self.W3) * (z2 > 0).T
            self.dW2 += gz2.T @ a1.T
            self.db2 += gz2
            gz1 = (gz2 @ self.W2) * (z1 > 0).T
            self.dW1 += gz1.T @ x.T
            self.db1 += gz1
            # gradient for this window's slice of the input
            dX[:, t:t + self.N] = gz1 @ self.W1
        return dX
