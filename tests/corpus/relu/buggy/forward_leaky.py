import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        # small slope for negative inputs so units don't die
        return np.where(x > 0, x, 0.01 * x)

    def backward(self, dz):
        return dz * (self.x > 0).T

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
