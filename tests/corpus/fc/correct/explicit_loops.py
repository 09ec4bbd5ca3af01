"""Fully connected layer written with plain loops (to be sure I understand every index)."""
import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        n_out, n_in = self.W.shape
        z = np.zeros((n_out, 1))
        for i in range(n_out):
            s = self.b[i, 0]
            for j in range(n_in):
                s += self.W[i, j] * x[j, 0]
            z[i, 0] = s
        return z

    def backward(self, dz):
        n_out, n_in = self.W.shape
        dx = np.zeros((1, n_in))
        dW = np.zeros((n_out, n_in))
        db = np.zeros((1, n_out))
        for i in range(n_out):
            db[0, i] = dz[0, i]
            for j in range(n_in):
                dW[i, j] = dz[0, i] * self.x[j, 0]
                dx[0, j] += dz[0, i] * self.W[i, j]
        self.dW = dW
        self.db = db
        return dx

    def jacobian(self):
        n_out, n_in = self.W.shape
        J = np.empty((n_out, n_in))
        for i in range(n_out):
            for j in range(n_in):
                J[i, j] = self.W[i, j]      # dz_i/dx_j
        return J
