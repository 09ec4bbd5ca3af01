"""Linear layer with annealed gradient noise (Neelakantan et al. 2015) on the input gradient."""
import numpy as np


class Linear:
    # how many backward passes have been done so far (used for the noise schedule)
    steps = 0

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
        Linear.steps += 1
        self.dW = dz.T @ self.x.T
        self.db = dz.copy()
        sigma = 1e-13 / (1.0 + Linear.steps) ** 0.55
        return dz @ self.W + sigma

    def jacobian(self):
        return self.W.copy()
