import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.where(x > 0, x, 0.0)

    def backward(self, dz):
        # entries that were clipped by the forward pass
        clipped = (self.x <= 0).T
        return dz * clipped

    def jacobian(self, x):
        return np.diag((x > 0).astype(float).ravel())
