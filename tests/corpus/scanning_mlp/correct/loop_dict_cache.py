# Scanning MLP -- homework 3
# Plain loop over windows, one dict per window in the cache.
import numpy as np


def relu(z):
    return np.maximum(z, 0)


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
        n_windows = self.T - self.N + 1
        self.cache = []
        O = np.zeros((self.W3.shape[0], n_windows))
        for t in range(n_windows):
            x = X[t:t + self.N].copy()
            z1 = self.W1 @ x + self.b1
            a1 = relu(z1)
            z2 = self.W2 @ a1 + self.b2
            a2 = relu(z2)
            o = self.W3 @ a2 + self.b3
            O[:, t] = o[:, 0]
            self.cache.append({"x": x, "z1": z1, "a1": a1, "z2": z2, "a2": a2})
        return O

    def backward(self, dO):
        # start every accumulator from zero
        self.dW1 = np.zeros(self.W1.shape)
        self.dW2 = np.zeros(self.W2.shape)
        self.dW3 = np.zeros(self.W3.shape)
        self.db1 = np.zeros((1, self.W1.shape[0]))
        self.db2 = np.zeros((1, self.W2.shape[0]))
        self.db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))

        for t, c in enumerate(self.cache):
            dout = dO[:, t:t + 1].T                     # (1, K)
            self.dW3 += dout.T @ c["a2"].T
            self.db3 += dout
            da2 = dout @ self.W3                        # (1, H2)
            dz2 = da2 * (c["z2"] > 0).T
            self.dW2 += dz2.T @ c["a1"].T
            self.db2 += dz2
            da1 = dz2 @ self.W2                         # (1, H1)
            dz1 = da1 * (c["z1"] > 0).T
            self.dW1 += dz1.T @ c["x"].T
            self.db1 += dz1
            dX[:, t:t + self.N] += dz1 @ self.W1        # (1, N)
        return dX
