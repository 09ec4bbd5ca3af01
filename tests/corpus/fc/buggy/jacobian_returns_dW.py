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
        return self.W @ x + self.b

    def backward(self, dz):
        self.dW = np.outer(dz, self.x)
        self.db = dz.copy()
        return dz @ self.W

    def jacobian(self):
        # the derivative of the layer, (out, in) -- computed in backward already
        return self.dW.copy()
