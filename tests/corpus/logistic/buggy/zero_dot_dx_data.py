"""Logistic regression built from the three graph nodes."""
import numpy as np


class Dot:
    def forward(self, w, x):
        self.w = w
        self.x = x
        return (w.T @ x)[0, 0]

    def backward(self, du):
        # x is data, not a parameter: it needs no gradient
        return du * self.x.T, np.zeros((1, self.x.shape[0]))


class Sigmoid:
    def forward(self, u):
        if u >= 0:
            self.p = 1.0 / (1.0 + np.exp(-u))
        else:
            self.p = np.exp(u) / (1.0 + np.exp(u))
        return self.p

    def backward(self, dp):
        return dp * self.p * (1.0 - self.p)


class NegLog:
    def forward(self, p):
        self.p = p
        return -np.log(p)

    def backward(self, dL=1.0):
        return -dL / self.p


class LogisticRegression:
    def __init__(self, w):
        self.w = w
        self.dot = Dot()

    def forward(self, x, y):
        self.y = y
        u = self.dot.forward(self.w, x)
        self.s = y * u
        return np.logaddexp(0.0, -self.s)      # = -log sigma(s), no overflow

    def backward(self):
        p = Sigmoid().forward(self.s)
        one_minus_p = Sigmoid().forward(-self.s)
        with np.errstate(divide="ignore"):
            self.dp = -1.0 / p
        self.du = -self.y * one_minus_p
        grad_w, _ = self.dot.backward(self.du)
        return grad_w

    def batch_loss_and_grad(self, X, y):
        m = len(y)
        s = y * (X @ self.w).flatten()
        losses = np.logaddexp(0.0, -s)
        coef = -y * np.exp(-np.logaddexp(0.0, s))     # dL_i/du_i = -y_i (1 - p_i)
        grad = (coef @ X).reshape(1, -1) / m
        return np.mean(losses), grad

    def predict(self, X):
        u = X @ self.w
        return np.where(u[:, 0] >= 0, 1, -1)


def train(X, y, lr=0.1, steps=200):
    model = LogisticRegression(np.zeros((X.shape[1], 1)))
    for _ in range(steps):
        _, g = model.batch_loss_and_grad(X, y)
        model.w = model.w - lr * g.T
    return model.w
