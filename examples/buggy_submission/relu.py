# A student's ReLU. Mistake: forward zeroes the caller's array in place.
import numpy as np


class ReLU:
    def forward(self, x):
        x[x < 0] = 0.0                 # modifies the input array
        self.x = x
        return x

    def backward(self, dz):
        return dz * (self.x > 0).T

    def jacobian(self, x):
        return np.diag((x > 0).astype(float).ravel())
