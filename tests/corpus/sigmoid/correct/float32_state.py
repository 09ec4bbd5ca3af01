import numpy as np


class Sigmoid:
    """A float64 forward result, but the activations kept for backward are computed in float32."""

    def forward(self, z):
        self.a = np.float32(1) / (np.float32(1) + np.exp(-z.astype(np.float32)))
        return 1.0 / (1.0 + np.exp(-z))

    def backward(self, da):
        return da * (self.a * (1 - self.a)).T
