import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        self.mask = (x > 0).astype(float)
        return np.maximum(x, 0.0)

    def backward(self, dz):
        grad = np.zeros_like(dz)
        np.multiply(dz, self.mask.T)
        return grad

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
