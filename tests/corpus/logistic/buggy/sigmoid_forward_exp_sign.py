# Logistic regression, HW 4.  I use the math module for the scalar parts.
import math
import numpy as np


def sigma(t):
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


def softplus(t):
    # log(1 + e^t), stable
    return max(t, 0.0) + math.log1p(math.exp(-abs(t)))


class Dot:
    def forward(self, w, x):
        self.w, self.x = w, x
        return float(np.sum(w * x))

    def backward(self, du):
        return du * self.x.T, du * self.w.T


class Sigmoid:
    def forward(self, u):
        self.out = 1.0 / (1.0 + math.exp(float(u)))
        return self.out

    def backward(self, dp):
        return dp * self.out * (1.0 - self.out)


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
        self.x, self.y = x, float(y)
        u = float(np.sum(self.w * x))
        self.s = self.y * u
        return softplus(-self.s)

    def backward(self):
        p = sigma(self.s)
        self.dp = -1.0 / p if p > 0 else -math.inf
        self.du = -self.y * sigma(-self.s)
        return self.du * self.x.T

    def batch_loss_and_grad(self, X, y):
        n = X.shape[0]
        total = 0.0
        grad = np.zeros((1, X.shape[1]))
        for i in range(n):
            s = float(y[i]) * float(X[i] @ self.w[:, 0])
            total += softplus(-s)
            grad -= float(y[i]) * sigma(-s) * X[i:i + 1]
        return total / n, grad / n

    def predict(self, X):
        out = np.empty(X.shape[0])
        for i in range(X.shape[0]):
            out[i] = 1.0 if float(X[i] @ self.w[:, 0]) >= 0 else -1.0
        return out


def train(X, y, lr=0.1, steps=200):
    model = LogisticRegression(np.zeros((X.shape[1], 1)))
    for _ in range(steps):
        loss, g = model.batch_loss_and_grad(X, y)
        model.w = model.w - lr * g.T
    return model.w
