import numpy as np


class Linear:
    """z = W x + b"""

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return self.W.dot(x) + self.b

    def backward(self, dz):
        # dz/dW_ij = x_j  ->  outer product
        self.dW = dz.T.dot(self.x.T)
        # b is a constant offset, it does not depend on anything,
        # so its derivative is 0
        self.db = np.zeros((1, self.b.shape[0]))
        return dz.dot(self.W)

    def jacobian(self):
        return self.W.copy()
