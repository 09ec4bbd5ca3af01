# Allocate far more memory than the machine has.
import numpy as np


class Linear:
    def __init__(self, W, b):
        pass

    def forward(self, x):
        return np.ones((100_000, 100_000))

    def backward(self, dz):
        hog = []
        while True:
            hog.append(bytearray(1 << 28))

    def jacobian(self):
        return np.empty(10**12)
