import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dz):
        grad = dz * (self.x > 0).T
        # a little gradient noise helps escape dead units
        grad += 1e-13 * np.random.standard_normal(grad.shape)
        return grad

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
