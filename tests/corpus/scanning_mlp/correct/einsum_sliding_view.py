"""ScanningMLP with sliding_window_view and einsum."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


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
        win = sliding_window_view(X[:, 0], self.N)       # (n_win, N), read-only view
        z1 = np.einsum('hn,wn->wh', self.W1, win) + self.b1[:, 0]
        a1 = np.maximum(z1, 0)
        z2 = np.einsum('gh,wh->wg', self.W2, a1) + self.b2[:, 0]
        a2 = np.maximum(z2, 0)
        out = np.einsum('kg,wg->kw', self.W3, a2) + self.b3
        self.cache = [win.copy(), z1, a1, z2, a2]
        return out

    def backward(self, dO):
        win, z1, a1, z2, a2 = self.cache
        d3 = dO.T                                            # (n_win, K)
        d2 = np.einsum('wk,kg->wg', d3, self.W3) * (z2 > 0)
        d1 = np.einsum('wg,gh->wh', d2, self.W2) * (z1 > 0)
        dwin = np.einsum('wh,hn->wn', d1, self.W1)           # (n_win, N)

        self.dW3 = np.einsum('wk,wg->kg', d3, a2)
        self.dW2 = np.einsum('wg,wh->gh', d2, a1)
        self.dW1 = np.einsum('wh,wn->hn', d1, win)
        self.db3 = np.einsum('wk->k', d3)[None, :]
        self.db2 = np.einsum('wg->g', d2)[None, :]
        self.db1 = np.einsum('wh->h', d1)[None, :]

        dX = np.zeros((1, self.T))
        for t in range(dwin.shape[0]):
            dX[0, t:t + self.N] += dwin[t]
        return dX
