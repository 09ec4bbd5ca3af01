"""logistic.py -- logistic regression as a little computation graph."""

import numpy as np


def _sigmoid(t):
    # stable sigmoid: never exp of a positive number
    if t >= 0:
        return 1.0 / (1.0 + np.exp(-t))
    e = np.exp(t)
    return e / (1.0 + e)


class Dot:
    """u = w^T x"""

    def forward(self, w, x):
        self.w = w
        self.x = x
        return (w.T @ x).item()

    def backward(self, du):
        return du * self.x.T, du * self.w.T


class Sigmoid:
    def forward(self, u):
        self.u = float(u)
        self.p = _sigmoid(self.u)
        return self.p

    def backward(self, dp):
        return dp * self.p * (1.0 - self.p)


class NegLog:
    def forward(self, p):
        self.p = float(p)
        return -np.log(self.p)

    def backward(self, dL=1.0):
        return -dL / self.p


class LogisticRegression:
    def __init__(self, w):
        self.w = w

    def forward(self, x, y):
        self.x = x
        self.y = float(y)
        self.u = (self.w.T @ x).item()
        self.s = self.y * self.u
        return float(np.logaddexp(0.0, -self.s))

    def backward(self):
        p = _sigmoid(self.s)
        one_minus_p = _sigmoid(-self.s)
        with np.errstate(divide="ignore"):
            self.dp = -1.0 / p if p > 0 else -np.inf
        # dL/ds = -1/p * p(1-p)  ->  times ds/du = y
        self.du = -self.y * p
        return self.du * self.x.T

    def batch_loss_and_grad(self, X, y):
        B = X.shape[0]
        s = y * (X @ self.w).ravel()
        loss = np.mean(np.logaddexp(0.0, -s))
        q = np.exp(-np.logaddexp(0.0, s))       # 1 - p = sigma(-s)
        grad = -(y * q) @ X / B
        return float(loss), grad.reshape(1, -1)

    def predict(self, X):
        return np.where(X @ self.w >= 0, 1, -1).ravel()


def train(X, y, lr=0.1, steps=200):
    model = LogisticRegression(np.zeros((X.shape[1], 1)))
    for _ in range(steps):
        _, g = model.batch_loss_and_grad(X, y)
        model.w = model.w - lr * g.T
    return model.w
