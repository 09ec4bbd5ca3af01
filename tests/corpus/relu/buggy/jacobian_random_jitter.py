import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.maximum(x, 0.0)

    def backward(self, dz):
        return dz * (self.x > 0).T

    def jacobian(self, x):
        d = (x[:, 0] > 0).astype(float)
        # small random jitter on the diagonal so the matrix is never singular
        d = d + 1e-12 * np.random.rand(d.size)
        return np.diag(d)
