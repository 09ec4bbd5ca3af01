import numpy as np


class Sigmoid:
    def __init__(self):
        self.a = None

    def forward(self, z):
        a = 1.0 / (1.0 + np.exp(-z))
        if self.a is None:
            self.a = a
        return a

    def backward(self, da):
        return da * (self.a * (1 - self.a)).T
