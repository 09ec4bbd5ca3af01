import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dz):
        # block the gradient of the inactive units
        dz[self.x.T <= 0] = 0.0
        return dz

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
