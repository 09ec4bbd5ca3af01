import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        out = x
        out[out < 0] = 0.0      # zero the negatives
        self.mask = out > 0
        return out

    def backward(self, dz):
        return dz * self.mask.T

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
