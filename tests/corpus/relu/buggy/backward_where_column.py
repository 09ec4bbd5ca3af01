"""ReLU for HW."""
import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.where(x > 0, x, 0.0)

    def backward(self, dz):
        # pass the gradient where x was positive, 0 elsewhere
        return np.where(self.x > 0, dz.T, 0.0)

    def jacobian(self, x):
        return np.diagflat(np.where(x > 0, 1.0, 0.0))
