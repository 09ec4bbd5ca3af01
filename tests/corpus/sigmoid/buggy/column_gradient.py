import numpy as np


class Sigmoid:
    def forward(self, z):
        self.a = 1.0 / (1.0 + np.exp(-z))
        return self.a

    def backward(self, da):
        return da.T * self.a * (1 - self.a)
