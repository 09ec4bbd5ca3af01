"""Logistic regression with the math module and a hand-written stable softplus.

Every scalar is a Python float.  train() does its own gradient steps, without
batch_loss_and_grad.
"""
import math
import numpy as np


def softplus(t):
    """log(1 + e^t) without overflow."""
    if t > 0:
        return t + math.log1p(math.exp(-t))
    return math.log1p(math.exp(t))


def sigma(t):
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    z = math.exp(t)
    return z / (1.0 + z)


class Dot:
    def forward(self, w, x):
        self.w = w
        self.x = x
        return float(np.sum(w * x))

    def backward(self, du):
        return du * self.x.reshape(1, -1), du * self.w.reshape(1, -1)


class Sigmoid:
    def forward(self, u):
        self.out = sigma(float(u))
        return self.out

    def backward(self, dp):
        return dp * self.out * (1 - self.out)


class NegLog:
    def forward(self, p):
        self.p = float(p)
        return -math.log(self.p)

    def backward(self, dL=1.0):
        return -dL / self.p


class LogisticRegression:
    def __init__(self, w):
        self.w = w

    def forward(self, x, y):
        self.x = x
        self.y = float(y)
        u = float(np.sum(self.w * x))
        self.s = self.y * u
        return softplus(-self.s)             # -log sigma(s) = log(1 + e^-s)

    def backward(self):
        p = sigma(self.s)
        q = sigma(-self.s)                   # 1 - p, computed without cancellation
        self.dp = -1.0 / p if p != 0.0 else -math.inf
        self.du = -self.y * q
        return self.du * self.x.T

    def batch_loss_and_grad(self, X, y):
        B = X.shape[0]
        loss = 0.0
        grad = np.zeros((1, X.shape[1]))
        for i in range(B):
            s = float(y[i]) * float(X[i] @ self.w[:, 0])
            loss += softplus(-s)
            grad -= float(y[i]) * sigma(-s) * X[i:i + 1]
        return loss / B, grad / B

    def predict(self, X):
        scores = X @ self.w[:, 0]
        return np.array([1 if s >= 0 else -1 for s in scores])


def train(X, y, lr=0.1, steps=200):
    n, d = X.shape
    w = np.zeros((d, 1))
    for _ in range(steps):
        s = y * (X @ w)[:, 0]
        q = np.exp(-np.logaddexp(0.0, s))        # sigma(-s)
        grad_row = -(q * y) @ X / n
        w = w - lr * grad_row.reshape(-1, 1)
    return w
