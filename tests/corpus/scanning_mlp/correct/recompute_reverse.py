import numpy as np

# Different caching: forward only remembers X; backward recomputes each window's
# activations, walking the windows from the last to the first.


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

    def _window(self, x):
        z1 = self.W1 @ x + self.b1
        a1 = np.maximum(z1, 0)
        z2 = self.W2 @ a1 + self.b2
        a2 = np.maximum(z2, 0)
        return z1, a1, z2, a2, self.W3 @ a2 + self.b3

    def forward(self, X):
        self.X = np.array(X, dtype=float)   # private copy
        self.T = self.X.shape[0]
        return np.hstack([self._window(self.X[t:t + self.N])[-1]
                          for t in range(self.T - self.N + 1)])

    def backward(self, dO):
        H1, H2, K = self.W1.shape[0], self.W2.shape[0], self.W3.shape[0]
        dW1 = np.zeros_like(self.W1); db1 = np.zeros((1, H1))
        dW2 = np.zeros_like(self.W2); db2 = np.zeros((1, H2))
        dW3 = np.zeros_like(self.W3); db3 = np.zeros((1, K))
        dX = np.zeros((1, self.T))
        for t in reversed(range(self.T - self.N + 1)):
            x = self.X[t:t + self.N]
            z1, a1, z2, a2, _ = self._window(x)
            gO = dO[:, [t]].T
            dW3 += gO.T @ a2.T
            db3 += gO
            gz2 = gO @ self.W3 * (z2 > 0).T
            dW2 += gz2.T @ a1.T
            db2 += gz2
            gz1 = gz2 @ self.W2 * (z1 > 0).T
            dW1 += gz1.T @ x.T
            db1 += gz1
            dX[:, t:t + self.N] += gz1 @ self.W1
        self.dW1, self.db1 = dW1, db1
        self.dW2, self.db2 = dW2, db2
        self.dW3, self.db3 = dW3, db3
        return dX
