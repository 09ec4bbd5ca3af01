import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        # relu(x) = (x + |x|) / 2
        return 0.5 * (x + np.abs(x))

    def _deriv(self, x):
        # d/dx (x + |x|)/2 = (1 + x/|x|)/2
        return 0.5 * (1.0 + x / np.abs(x))

    def backward(self, dz):
        return dz * self._deriv(self.x).T

    def jacobian(self, x):
        return np.diag(self._deriv(x)[:, 0])
