import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dz):
        return dz * (self.x > 0).T

    def jacobian(self, x):
        # True on the diagonal where the unit is active
        return np.diag(x[:, 0] > 0)
