# HW3 scanning MLP
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
        O = np.zeros((self.W3.shape[0], T - self.N + 1))
        for t in range(T - self.N + 1):
            x = X[t:t + self.N]
            z1 = np.dot(self.W1, x) + self.b1
            a1 = np.maximum(z1, 0)
            z2 = np.dot(self.W2, a1) + self.b2
            a2 = np.maximum(z2, 0)
            O[:, t:t + 1] = np.dot(self.W3, a2) + self.b3
            self.cache.append((x, z1, a1, z2, a2))
        return O

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
            gO = dO[:, t:t + 1].T
            self.dW3 += np.dot(gO.T, a2.T)
            self.db3 += gO
            gz2 = np.dot(gO, self.W3) * (z2.T > 0)
            self.dW2 += np.dot(gz2.T, a1.T)
            self.db2 = gz2                      # bias gradient is just the delta
            gz1 = np.dot(gz2, self.W2) * (z1.T > 0)
            self.dW1 += np.dot(gz1.T, x.T)
            self.db1 += gz1
            dX[:, t:t + self.N] += np.dot(gz1, self.W1)
        return dX
