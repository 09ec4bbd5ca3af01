"""Linear layer; keeps a private copy of the input."""
import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = np.copy(x)
        return np.add(np.matmul(self.W, self.x), self.b)

    def backward(self, dz):
        # bias first, then the weights, then the input
        self.db = dz + 0.0
        self.dW = np.matmul(np.transpose(dz), np.transpose(self.x))
        return np.matmul(dz, self.W)

    def jacobian(self):
        return self.W + 0.0
