import numpy as np


def relu(v):
    return v * (v > 0)


def relu_backward(grad_row, pre_activation):
    """grad_row is (1, n), pre_activation is the (n, 1) column from forward."""
    return grad_row * (pre_activation.T > 0)


def linear_backward(grad_row, W, inp):
    """Returns (grad wrt input row, grad wrt W, grad wrt b row)."""
    return grad_row @ W, grad_row.T @ inp.T, grad_row


class ScanningMLP:
    def __init__(self, W1, b1, W2, b2, W3, b3, N):
        self.W1, self.b1 = W1, b1
        self.W2, self.b2 = W2, b2
        self.W3, self.b3 = W3, b3
        self.N = int(N)
        self.T = None
        self.cache = []
        self.dW1 = self.dW2 = self.dW3 = None
        self.db1 = self.db2 = self.db3 = None

    def forward(self, X):
        self.T = X.shape[0]
        self.xs, self.z1s, self.a1s, self.z2s, self.a2s = [], [], [], [], []
        out = []
        for start in range(0, self.T - self.N + 1):
            xw = X[start:start + self.N]
            z1 = self.W1 @ xw + self.b1
            a1 = relu(z1)
            z2 = self.W2 @ a1 + self.b2
            a2 = relu(z2)
            self.xs.append(xw); self.z1s.append(z1); self.a1s.append(a1)
            self.z2s.append(z2); self.a2s.append(a2)
            out.append(self.W3 @ a2 + self.b3)
        return np.column_stack(out)

    def backward(self, dO):
        grads = {name: np.zeros_like(W, dtype=np.float64)
                 for name, W in (("W1", self.W1), ("W2", self.W2), ("W3", self.W3))}
        for name, W in (("b1", self.W1), ("b2", self.W2), ("b3", self.W3)):
            grads[name] = np.zeros((1, W.shape[0]))
        dX = np.zeros((1, self.T))
        for start in range(len(self.xs)):
            g = dO[:, start].reshape(1, -1)
            g, gW, gb = linear_backward(g, self.W3, self.a2s[start])
            grads["W3"] += gW; grads["b3"] += gb
            g = relu_backward(g, self.z2s[start])
            g, gW, gb = linear_backward(g, self.W2, self.a1s[start])
            grads["W2"] += gW; grads["b2"] += gb
            g = relu_backward(g, self.z1s[start])
            g, gW, gb = linear_backward(g, self.W1, self.xs[start])
            grads["W1"] += gW; grads["b1"] += gb
            dX[:, start:start + self.N] = dX[:, start:start + self.N] + g
        self.dW1, self.dW2, self.dW3 = grads["W1"], grads["W2"], grads["W3"]
        self.db1, self.db2, self.db3 = grads["b1"], grads["b2"], grads["b3"]
        return dX
