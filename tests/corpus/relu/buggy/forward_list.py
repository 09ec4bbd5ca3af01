import numpy as np


class ReLU:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        out = []
        for row in x:
            out.append([max(0.0, float(row[0]))])
        return out

    def backward(self, dz):
        return dz * (self.x > 0).T

    def jacobian(self, x):
        return np.diag((x[:, 0] > 0).astype(float))
