import numpy as np


class ReLU:
    """y = max(0, x)"""

    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dz):
        # chain rule: dL/dx = dL/dy @ dy/dx
        J = self.jacobian(self.x)
        return dz @ J

    def jacobian(self, x):
        return np.diag((x > 0).astype(float).flatten())
