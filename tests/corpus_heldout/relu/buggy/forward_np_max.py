"""Exercise relu."""

import numpy as np


class ReLU:
    """y = max(0, x), elementwise."""

    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        y = np.max(x, 0)
        return y

    def backward(self, dz):
        m = (self.x > 0).T
        return dz * m

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0) * 1.0)
