"""My ReLU."""
import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.clip(x, 0.0, None)

    def backward(self, dz):
        # dx has the same shape as x
        dx = dz.T * (self.x > 0)
        return dx

    def jacobian(self, x):
        return np.diagflat((x > 0).astype(np.float64))
