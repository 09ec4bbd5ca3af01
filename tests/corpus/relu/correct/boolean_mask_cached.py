"""ReLU: the forward pass caches the boolean mask, nothing else."""
import numpy as np


class ReLU:
    def __init__(self):
        self.x = None
        self.mask = None

    def forward(self, x):
        self.mask = x > 0                 # (n, 1) bool
        return np.maximum(x, 0.0)

    def backward(self, dz):
        return dz * self.mask.T           # (1, n) * (1, n)

    def jacobian(self, x):
        return np.diag((x > 0).ravel().astype(np.float64))
