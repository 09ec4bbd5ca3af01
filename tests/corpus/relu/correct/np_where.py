import numpy as np


class ReLU:
    """y = max(0, x) with np.where everywhere."""

    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.where(x > 0, x, 0.0)

    def backward(self, dz):
        return np.where(self.x.T > 0, dz, 0.0)

    def jacobian(self, x):
        return np.diagflat(np.where(x > 0, 1.0, 0.0))
