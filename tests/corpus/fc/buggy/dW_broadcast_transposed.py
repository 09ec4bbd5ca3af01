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
        z = np.dot(self.W, x) + self.b
        return z

    def backward(self, dz):
        # dL/dW_ij = dL/dz_i * x_j  -> elementwise product, let broadcasting do the outer product
        self.dW = dz * self.x
        self.db = np.array(dz, dtype=float)
        grad_x = np.dot(dz, self.W)
        return grad_x

    def jacobian(self):
        return np.array(self.W, dtype=float)
