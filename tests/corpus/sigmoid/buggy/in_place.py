import numpy as np


class Sigmoid:
    def forward(self, z):
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += 1.0
        self.a = 1.0 / z
        return self.a

    def backward(self, da):
        return da * (self.a * (1 - self.a)).T
