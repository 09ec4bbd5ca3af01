"""sigma(t) = (1 + tanh(t/2)) / 2 never overflows.  Scalars returned as 0-d arrays."""
import numpy as np


def sig(t):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(t, dtype=float)))


class Dot:
    def forward(self, w, x):
        self.w, self.x = w, x
        return np.array(np.vdot(w, x))           # 0-d array

    def backward(self, du):
        return du * self.x.reshape(1, -1), du * self.w.reshape(1, -1)


class Sigmoid:
    def forward(self, u):
        self.p = sig(u)
        return self.p

    def backward(self, dp):
        return np.asarray(dp * self.p * (1.0 - self.p))


class NegLog:
    def forward(self, p):
        self.p = np.asarray(p, dtype=float)
        return -np.log(self.p)

    def backward(self, dL=1.0):
        return np.asarray(-dL / self.p)


class LogisticRegression:
    def __init__(self, w):
        self.w = w

    def forward(self, x, y):
        self.x, self.y = x, y
        self.s = np.asarray(y * np.vdot(self.w, x))
        return np.logaddexp(0.0, -self.s)

    def backward(self):
        p = sig(self.s)
        one_minus = 0.5 * (1.0 - np.tanh(0.5 * self.s))   # = sig(-s)
        with np.errstate(divide="ignore"):
            self.dp = -1.0 / p
        self.du = -self.y * one_minus
        return self.du * self.x.T

    def batch_loss_and_grad(self, X, y):
        s = y * (X @ self.w)[:, 0]
        loss = np.logaddexp(0.0, -s).mean()
        grad = np.mean(-(y * sig(-s))[:, None] * X, axis=0)[None, :]
        return np.asarray(loss), grad

    def predict(self, X):
        u = (X @ self.w)[:, 0]
        labels = np.ones(len(u))
        labels[u < 0] = -1
        return labels


def train(X, y, lr=0.1, steps=200):
    w = np.zeros((X.shape[1], 1))
    model = LogisticRegression(w)
    for _ in range(steps):
        grad = model.batch_loss_and_grad(X, y)[1]
        model.w = model.w - lr * grad.T
    return model.w
