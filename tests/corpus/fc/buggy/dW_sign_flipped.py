"""Linear layer z = Wx + b"""
import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return np.matmul(self.W, x) + self.b

    def backward(self, dz):
        # store the weight update direction (we go downhill)
        self.dW = -np.outer(dz, self.x)
        self.db = dz.copy()
        return np.matmul(dz, self.W)

    def jacobian(self):
        return self.W.copy()
