# A student's scanning MLP. Mistake: dW1 is assigned with = in the window
# loop, so only the last window's contribution survives.
import numpy as np


class ScanningMLP:
    def __init__(self, W1, b1, W2, b2, W3, b3, N):
        self.W1, self.b1, self.W2, self.b2, self.W3, self.b3 = W1, b1, W2, b2, W3, b3
        self.N = N

    def forward(self, X):
        self.T = X.shape[0]
        self.cache = []
        outs = []
        for t in range(self.T - self.N + 1):
            x = X[t:t + self.N]
            z1 = self.W1 @ x + self.b1
            a1 = np.maximum(0, z1)
            z2 = self.W2 @ a1 + self.b2
            a2 = np.maximum(0, z2)
            outs.append(self.W3 @ a2 + self.b3)
            self.cache.append((x, z1, a1, z2, a2))
        return np.concatenate(outs, axis=1)

    def backward(self, dO):
        self.dW1 = np.zeros_like(self.W1)
        self.db1 = np.zeros((1, self.W1.shape[0]))
        self.dW2 = np.zeros_like(self.W2)
        self.db2 = np.zeros((1, self.W2.shape[0]))
        self.dW3 = np.zeros_like(self.W3)
        self.db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))
        for t, (x, z1, a1, z2, a2) in enumerate(self.cache):
            g = dO[:, [t]].T
            self.db3 += g
            self.dW3 += g.T @ a2.T
            g = (g @ self.W3) * (z2 > 0).T
            self.db2 += g
            self.dW2 += g.T @ a1.T
            g = (g @ self.W2) * (z1 > 0).T
            self.db1 += g
            self.dW1 = g.T @ x.T           # should accumulate with +=
            dX[:, t:t + self.N] += g @ self.W1
        return dX
