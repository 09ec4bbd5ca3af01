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
        for t in range(0, self.T - self.N + 1):
            x_t = X[t:t + self.N]
            z1 = self.W1.dot(x_t) + self.b1
            a1 = np.maximum(z1, 0)
            z2 = self.W2.dot(a1) + self.b2
            a2 = np.maximum(z2, 0)
            outs.append(self.W3.dot(a2) + self.b3)
            self.cache.append((x_t, z1, a1, z2, a2))
        return np.concatenate(outs, axis=1)

    def backward(self, dO):
        self.dW1 = np.zeros_like(self.W1)
        self.dW2 = np.zeros_like(self.W2)
        self.dW3 = np.zeros_like(self.W3)
        self.db1 = np.zeros((1, self.W1.shape[0]))
        self.db2 = np.zeros((1, self.W2.shape[0]))
        self.db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))
        last = self.T - self.N          # index of the last window
        for t in range(last):
            x_t, z1, a1, z2, a2 = self.cache[t]
            g = dO[:, t].reshape(1, -1)
            self.db3 += g
            self.dW3 += g.T.dot(a2.T)
            g = g.dot(self.W3) * (z2 > 0).T
            self.db2 += g
            self.dW2 += g.T.dot(a1.T)
            g = g.dot(self.W2) * (z1 > 0).T
            self.db1 += g
            self.dW1 += g.T.dot(x_t.T)
            dX[:, t:t + self.N] += g.dot(self.W1)
        return dX
