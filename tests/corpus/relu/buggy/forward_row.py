import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        # work with rows like the gradients
        return np.maximum(x.T, 0.0)

    def backward(self, dz):
        return dz * (self.x.T > 0)

    def jacobian(self, x):
        return np.diag((x.ravel() > 0).astype(float))
