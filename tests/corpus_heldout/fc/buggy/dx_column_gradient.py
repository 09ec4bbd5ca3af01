import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x.copy()
        return self.W @ x + self.b

    def backward(self, dz):
        """dz is (1, out)."""
        self.dW = dz.T @ self.x.T      # (out,1)(1,in) = (out,in)
        self.db = dz.copy()            # (1,out)
        # gradient wrt x: W^T times the upstream gradient
        grad_x = self.W.T @ dz.T
        return grad_x

    def jacobian(self):
        return np.array(self.W, dtype=float)
