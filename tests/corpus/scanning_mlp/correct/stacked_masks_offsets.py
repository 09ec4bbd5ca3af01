# Forward of all windows stacked as matrices, masks cached as booleans.
# dX is assembled by window *offset*: position j inside the window feeds X[t + j].
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
        self.T = T = len(X)
        nw = T - self.N + 1
        Xs = np.concatenate([X[t:t + self.N] for t in range(nw)], axis=1)  # (N, nw)
        Z1 = np.dot(self.W1, Xs) + self.b1
        M1 = Z1 > 0
        A1 = Z1 * M1
        Z2 = np.dot(self.W2, A1) + self.b2
        M2 = Z2 > 0
        A2 = Z2 * M2
        self.cache = (Xs, M1, A1, M2, A2)
        return np.dot(self.W3, A2) + self.b3

    def backward(self, dO):
        Xs, M1, A1, M2, A2 = self.cache
        nw = Xs.shape[1]
        # column-gradient bookkeeping internally, transposed to rows at the end
        D3 = dO                                  # (K, nw)
        D2 = np.dot(self.W3.T, D3) * M2          # (H2, nw)
        D1 = np.dot(self.W2.T, D2) * M1          # (H1, nw)
        DX = np.dot(self.W1.T, D1)               # (N, nw)
        self.dW3 = np.dot(D3, A2.T)
        self.dW2 = np.dot(D2, A1.T)
        self.dW1 = np.dot(D1, Xs.T)
        self.db3 = D3.sum(axis=1).reshape(1, -1)
        self.db2 = D2.sum(axis=1).reshape(1, -1)
        self.db1 = D1.sum(axis=1).reshape(1, -1)
        dX = np.zeros((1, self.T))
        for j in range(self.N):
            dX[0, j:j + nw] += DX[j, :]
        return dX
