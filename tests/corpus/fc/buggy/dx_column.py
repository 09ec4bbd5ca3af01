"""Linear layer, forward + backward."""
import numpy as np


class Linear:
    """z = W x + b."""

    def __init__(self, W, b):
        """W: (out, in); b: (out, 1). Both are float arrays; neither is modified."""
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return self.W @ x + self.b

    def backward(self, dz):
        self.dW = dz.T @ self.x.T           # (out,1)(1,in)
        self.db = dz.copy()                 # bias just passes the gradient through
        # backprop to the input: W transpose times the upstream gradient
        dx = self.W.T @ dz.T
        return dx

    def jacobian(self):
        return self.W.copy()
