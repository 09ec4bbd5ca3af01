import numpy as np


class ReLU:
    def __init__(self):
        self.x = None
        self.out = None

    def forward(self, x):
        self.x = x
        self.out = np.maximum(x, 0.0)
        return self.out

    def backward(self, dz):
        # chain rule: upstream gradient times the layer's output
        return dz * self.out.T

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
