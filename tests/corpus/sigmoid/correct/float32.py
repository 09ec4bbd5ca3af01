import numpy as np


class Sigmoid:
    def forward(self, z):
        z32 = z.astype(np.float32)
        self.a = (np.float32(1) / (np.float32(1) + np.exp(-z32))).astype(np.float32)
        return self.a

    def backward(self, da):
        return (da.astype(np.float32) * (self.a * (np.float32(1) - self.a)).T).astype(np.float32)
