import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dz):
        # relu'(x) = (sign(x) + 1) / 2 and sign(x) = x / |x|
        slope = (self.x / np.abs(self.x) + 1.0) / 2.0
        return dz * slope.T

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
