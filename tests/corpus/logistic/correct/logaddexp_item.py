# Logistic regression graph -- HW4.  np.logaddexp for the loss, .item() for w^T x.
import numpy as np


def stable_sigmoid(t):
    t = float(t)
    if t >= 0:
        return 1.0 / (1.0 + np.exp(-t))
    e = np.exp(t)
    return e / (1.0 + e)


class Dot:
    def forward(self, w, x):
        self.w, self.x = w, x
        return (w.T @ x).item()

    def backward(self, du):
        return du * self.x.T, du * self.w.T


class Sigmoid:
    def forward(self, u):
        self.p = stable_sigmoid(u)
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

    def forward(self, x, y):
        self.x, self.y = x, y
        self.s = y * (self.w.T @ x).item()
        return float(np.logaddexp(0.0, -self.s))

    def backward(self):
        p = stable_sigmoid(self.s)
        one_minus_p = stable_sigmoid(-self.s)
        with np.errstate(divide="ignore"):
            self.dp = -1.0 / p if p > 0 else -np.inf
        self.du = -self.y * one_minus_p
        return self.du * self.x.T

    def batch_loss_and_grad(self, X, y):
        s = y * (X @ self.w).ravel()
        loss = np.logaddexp(0.0, -s).mean()
        q = np.array([stable_sigmoid(-si) for si in s])      # 1 - p_i
        grad = -(y * q) @ X / len(y)
        return float(loss), grad.reshape(1, -1)

    def predict(self, X):
        return np.where(X @ self.w >= 0, 1, -1).ravel()


def train(X, y, lr=0.1, steps=200):
    model = LogisticRegression(np.zeros((X.shape[1], 1)))
    for _ in range(steps):
        _, g = model.batch_loss_and_grad(X, y)
        model.w = model.w - lr * g.T
    return model.w
