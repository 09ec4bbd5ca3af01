# scanning MLP, loops everywhere
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
        self.n_win = self.T - self.N + 1
        self.cache = []
        O = []
        for k in range(self.n_win):
            xk = X[k:k + self.N]
            z1 = self.W1 @ xk + self.b1
            a1 = np.maximum(z1, 0)
            z2 = self.W2 @ a1 + self.b2
            a2 = np.maximum(z2, 0)
            O.append(self.W3 @ a2 + self.b3)
            self.cache.append((xk, z1, a1, z2, a2))
        return np.hstack(O)

    def backward(self, dO):
        dW1 = np.zeros(self.W1.shape); db1 = np.zeros((1, self.W1.shape[0]))
        dW2 = np.zeros(self.W2.shape); db2 = np.zeros((1, self.W2.shape[0]))
        dW3 = np.zeros(self.W3.shape); db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))
        for k in range(1, self.n_win):
            xk, z1, a1, z2, a2 = self.cache[k]
            d = dO[:, k:k + 1].T
            dW3 += d.T @ a2.T
            db3 += d
            d = (d @ self.W3) * (z2 > 0).T
            dW2 += d.T @ a1.T
            db2 += d
            d = (d @ self.W2) * (z1 > 0).T
            dW1 += d.T @ xk.T
            db1 += d
            dX[:, k:k + self.N] += d @ self.W1
        self.dW1, self.db1, self.dW2, self.db2, self.dW3, self.db3 = dW1, db1, dW2, db2, dW3, db3
        return dX
