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
        self.X = X
        self.T = X.shape[0]
        out = []
        for t in range(self.T - self.N + 1):
            self.x = X[t:t + self.N]
            self.z1 = self.W1 @ self.x + self.b1
            self.a1 = np.maximum(0, self.z1)
            self.z2 = self.W2 @ self.a1 + self.b2
            self.a2 = np.maximum(0, self.z2)
            out.append(self.W3 @ self.a2 + self.b3)
        return np.hstack(out)

    def backward(self, dO):
        K, nw = dO.shape
        N = self.N
        self.dW1 = np.zeros(self.W1.shape)
        self.dW2 = np.zeros(self.W2.shape)
        self.dW3 = np.zeros(self.W3.shape)
        self.db1 = np.zeros((1, self.W1.shape[0]))
        self.db2 = np.zeros((1, self.W2.shape[0]))
        self.db3 = np.zeros((1, K))
        dX = np.zeros((1, self.T))
        for t in range(nw):
            x_t = self.X[t:t + N]
            d_o = dO[:, [t]].T
            self.dW3 += d_o.T @ self.a2.T
            self.db3 += d_o
            d_z2 = (d_o @ self.W3) * (self.z2 > 0).T
            self.dW2 += d_z2.T @ self.a1.T
            self.db2 += d_z2
            d_z1 = (d_z2 @ self.W2) * (self.z1 > 0).T
            self.dW1 += d_z1.T @ x_t.T
            self.db1 += d_z1
            dX[:, t:t + N] += d_z1 @ self.W1
        return dX
