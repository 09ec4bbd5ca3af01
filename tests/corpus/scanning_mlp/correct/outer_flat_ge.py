# Works with flat 1-D vectors inside, uses np.outer for the weight gradients,
# and takes the ReLU derivative as 1 where z >= 0 (the kink never happens here).
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
        x_flat = X.ravel()
        self.T = len(x_flat)
        B1, B2, B3 = self.b1.ravel(), self.b2.ravel(), self.b3.ravel()
        self.cache = []
        outs = []
        for t in range(self.T - self.N + 1):
            xt = np.array(x_flat[t:t + self.N])
            h1 = self.W1.dot(xt) + B1
            r1 = np.where(h1 >= 0, h1, 0.0)
            h2 = self.W2.dot(r1) + B2
            r2 = np.where(h2 >= 0, h2, 0.0)
            outs.append(self.W3.dot(r2) + B3)
            self.cache.append((xt, h1, r1, h2, r2))
        return np.stack(outs, axis=1)

    def backward(self, dO):
        gW1 = np.zeros(self.W1.shape); gb1 = np.zeros(self.W1.shape[0])
        gW2 = np.zeros(self.W2.shape); gb2 = np.zeros(self.W2.shape[0])
        gW3 = np.zeros(self.W3.shape); gb3 = np.zeros(self.W3.shape[0])
        gX = np.zeros(self.T)
        for t, (xt, h1, r1, h2, r2) in enumerate(self.cache):
            go = dO[:, t]
            gW3 += np.outer(go, r2)
            gb3 += go
            gh2 = self.W3.T.dot(go) * (h2 >= 0)
            gW2 += np.outer(gh2, r1)
            gb2 += gh2
            gh1 = self.W2.T.dot(gh2) * (h1 >= 0)
            gW1 += np.outer(gh1, xt)
            gb1 += gh1
            gX[t:t + self.N] += self.W1.T.dot(gh1)
        self.dW1, self.dW2, self.dW3 = gW1, gW2, gW3
        # bias gradients and dX are rows in this course
        self.db1 = gb1.reshape(1, -1)
        self.db2 = gb2.reshape(1, -1)
        self.db3 = gb3.reshape(1, -1)
        return gX.reshape(1, -1)
