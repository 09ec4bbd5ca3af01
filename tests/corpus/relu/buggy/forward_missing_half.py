import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        # max(0, x) without branches: x + |x| (0 for negative x)
        return x + np.abs(x)

    def backward(self, dz):
        return dz * (self.x > 0).T

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
