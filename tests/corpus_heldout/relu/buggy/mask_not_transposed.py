import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dz):
        mask = (self.x > 0).astype(dz.dtype)
        grad = dz * mask
        return grad

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
