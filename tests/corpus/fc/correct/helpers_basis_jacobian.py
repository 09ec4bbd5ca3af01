"""fc layer with small helpers; the Jacobian is read off by feeding basis vectors."""
import numpy as np


def as_row(v):
    return np.asarray(v, dtype=float).reshape(1, -1)


def as_col(v):
    return np.asarray(v, dtype=float).reshape(-1, 1)


def affine(W, x, b):
    return W @ x + b


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x_row = as_row(x)          # only the row is kept
        return affine(self.W, x, self.b)

    def backward(self, dz):
        dx = as_row(dz @ self.W)
        self.dW = as_col(dz) @ self.x_row
        self.db = as_row(dz).copy()
        return dx

    def jacobian(self):
        n_out, n_in = self.W.shape
        cols = []
        for j in range(n_in):
            e = np.zeros((n_in, 1))
            e[j, 0] = 1.0
            cols.append(self.W @ e)      # column j of dz/dx
        return np.hstack(cols)
