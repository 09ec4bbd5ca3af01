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
        v = x[:, 0]
        # derivative of (x + |x|)/2 is (1 + x/|x|)/2
        return np.diag(0.5 * (1.0 + v / np.abs(v)))
