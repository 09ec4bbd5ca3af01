"""ReLU with np.heaviside; at exactly 0 I use derivative 1 (x >= 0)."""
import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return x * np.heaviside(x, 0.0)

    def backward(self, dz):
        step = np.heaviside(self.x, 1.0)       # 1 for x >= 0, 0 for x < 0
        return dz * step.reshape(1, -1)

    def jacobian(self, x):
        return np.diag(np.heaviside(x[:, 0], 1.0))
