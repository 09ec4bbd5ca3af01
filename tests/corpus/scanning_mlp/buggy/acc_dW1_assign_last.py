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
        outputs = []
        for t in range(self.T - self.N + 1):
            window = X[t:t + self.N]
            h1 = self.W1 @ window + self.b1
            r1 = np.maximum(0, h1)
            h2 = self.W2 @ r1 + self.b2
            r2 = np.maximum(0, h2)
            outputs.append(self.W3 @ r2 + self.b3)
            self.cache.append((window, h1, r1, h2, r2))
        return np.concatenate(outputs, axis=1)

    def backward(self, dO):
        self.dW1 = np.zeros_like(self.W1)
        self.db1 = np.zeros((1, self.W1.shape[0]))
        self.dW2 = np.zeros_like(self.W2)
        self.db2 = np.zeros((1, self.W2.shape[0]))
        self.dW3 = np.zeros_like(self.W3)
        self.db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))
        for t, (window, h1, r1, h2, r2) in enumerate(self.cache):
            delta = dO[:, [t]].T
            self.db3 += delta
            self.dW3 += delta.T @ r2.T
            delta = (delta @ self.W3) * (h2 > 0).T
            self.db2 += delta
            self.dW2 += delta.T @ r1.T
            delta = (delta @ self.W2) * (h1 > 0).T
            self.db1 += delta
            self.dW1 = delta.T @ window.T
            dX[:, t:t + self.N] += delta @ self.W1
        return dX
