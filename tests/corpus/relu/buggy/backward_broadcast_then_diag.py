import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dz):
        mask = (self.x > 0).astype(float)
        prod = dz * mask                  # came out (n, n): the entries I want are on the diagonal
        return np.diag(prod).reshape(1, -1)

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
