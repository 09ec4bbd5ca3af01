import math

import numpy as np


class Sigmoid:
    def forward(self, z):
        self.z = z.copy()
        out = np.zeros_like(z)
        for i in range(z.shape[0]):
            out[i, 0] = 1.0 / (1.0 + math.exp(-z[i, 0]))
        return out

    def backward(self, da):
        grad = np.zeros((1, self.z.shape[0]))
        for i in range(self.z.shape[0]):
            s = 1.0 / (1.0 + math.exp(-self.z[i, 0]))
            grad[0, i] = da[0, i] * s * (1.0 - s)
        return grad
