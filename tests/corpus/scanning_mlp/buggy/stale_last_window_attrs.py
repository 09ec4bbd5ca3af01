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
        self.windows = []
        O = []
        for t in range(self.T - self.N + 1):
            x = X[t:t + self.N]
            self.windows.append(x)
            # keep the activations for backward
            self.z1 = self.W1 @ x + self.b1
            self.a1 = np.maximum(self.z1, 0)
            self.z2 = self.W2 @ self.a1 + self.b2
            self.a2 = np.maximum(self.z2, 0)
            O.append(self.W3 @ self.a2 + self.b3)
        return np.hstack(O)

    def backward(self, dO):
        self.dW1 = np.zeros_like(self.W1); self.db1 = np.zeros((1, self.W1.shape[0]))
        self.dW2 = np.zeros_like(self.W2); self.db2 = np.zeros((1, self.W2.shape[0]))
        self.dW3 = np.zeros_like(self.W3); self.db3 = np.zeros((1, self.W3.shape[0]))
        dX = np.zeros((1, self.T))
        for t, x in enumerate(self.windows):
            gO = dO[:, [t]].T
            self.dW3 += gO.T @ self.a2.T
            self.db3 += gO
            gz2 = gO @ self.W3 * (self.z2 > 0).T
            self.dW2 += gz2.T @ self.a1.T
            self.db2 += gz2
            gz1 = gz2 @ self.W2 * (self.z1 > 0).T
            self.dW1 += gz1.T @ x.T
            self.db1 += gz1
            dX[:, t:t + self.N] += gz1 @ self.W1
        return dX
