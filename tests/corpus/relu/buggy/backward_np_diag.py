import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dz):
        local = np.diag(np.where(self.x[:, 0] > 0, 1.0, 0.0))    # dy/dx
        return np.dot(dz, local)

    def jacobian(self, x):
        return np.diag(np.where(x[:, 0] > 0, 1.0, 0.0))
