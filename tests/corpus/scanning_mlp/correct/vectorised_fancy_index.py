import numpy as np


class ScanningMLP:
    """All windows at once: column t of Xw is window t."""

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
        n_win = T - self.N + 1
        # idx[i, t] = t + i  ->  Xw[i, t] = X[t + i]
        self.idx = np.arange(self.N)[:, None] + np.arange(n_win)[None, :]
        Xw = X[self.idx, 0]                              # (N, n_win), a copy
        Z1 = self.W1 @ Xw + self.b1                      # (H1, n_win)
        A1 = np.maximum(Z1, 0.0)
        Z2 = self.W2 @ A1 + self.b2
        A2 = np.maximum(Z2, 0.0)
        self.cache = [Xw, Z1, A1, Z2, A2]
        return self.W3 @ A2 + self.b3

    def backward(self, dO):
        Xw, Z1, A1, Z2, A2 = self.cache
        # rows of G* are the per-window row gradients
        G3 = dO.T                                        # (n_win, K)
        G2 = (G3 @ self.W3) * (Z2.T > 0)                 # (n_win, H2)
        G1 = (G2 @ self.W2) * (Z1.T > 0)                 # (n_win, H1)
        GX = G1 @ self.W1                                # (n_win, N)
        # sum over windows = matrix products over the window axis
        self.dW3 = G3.T @ A2.T
        self.db3 = G3.sum(axis=0, keepdims=True)
        self.dW2 = G2.T @ A1.T
        self.db2 = G2.sum(axis=0, keepdims=True)
        self.dW1 = G1.T @ Xw.T
        self.db1 = G1.sum(axis=0, keepdims=True)
        dX = np.zeros((1, self.T))
        np.add.at(dX[0], self.idx.T, GX)                 # overlapping windows add up
        return dX
