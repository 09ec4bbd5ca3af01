"""ReLU layer -- exercise relu."""

import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        self.y = np.maximum(0, x).astype(float)
        return self.y

    def backward(self, dz):
        # local derivative of relu is relu itself on the positive side
        return dz * self.y.T

    def jacobian(self, x):
        n = x.shape[0]
        J = np.zeros((n, n))
        J[np.arange(n), np.arange(n)] = (x[:, 0] > 0)
        return J
