"""Linear layer. I derived everything in the recitation's column layout
and transpose at the end to match the course convention."""
import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return (x.T @ self.W.T + self.b.T).T

    def backward(self, dz):
        delta = dz.T                          # column gradient (denominator layout)
        grad_x_col = self.W.T @ delta         # (in, 1)
        grad_W_rec = self.x @ delta.T         # (in, out), recitation layout
        self.dW = grad_W_rec.T                # -> (out, in)
        self.db = delta.T.copy()              # -> (1, out)
        return grad_x_col.T                   # -> (1, in)

    def jacobian(self):
        return np.eye(self.W.shape[0]) @ self.W
