import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return x * (x > 0)

    def backward(self, dz):
        n = self.x.shape[0]
        J = np.eye(n) * (self.x > 0)       # zero the rows of inactive units
        return dz @ J

    def jacobian(self, x):
        return np.eye(x.shape[0]) * (x > 0)
