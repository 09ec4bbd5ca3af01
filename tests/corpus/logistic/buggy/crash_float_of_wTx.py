import numpy as np


def stable_sigmoid(t):
    """sigma(t) without overflow: exp only of a non-positive number."""
    if t >= 0:
        return 1.0 / (1.0 + np.exp(-t))
    e = np.exp(t)
    return e / (1.0 + e)


class Dot:
    def forward(self, w, x):
        self.w = w
        self.x = x
        return float(w.T @ x)

    def backward(self, du):
        grad_w = du * self.x.T
        grad_x = du * self.w.T
        return grad_w, grad_x


class Sigmoid:
    def forward(self, u):
        self.p = stable_sigmoid(u)
        return self.p

    def backward(self, dp):
        return dp * self.p * (1 - self.p)


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
        self.x = x
        self.y = y
        self.s = y * (self.w.T @ x).item()
        return np.logaddexp(0, -self.s)

    def backward(self):
        p = stable_sigmoid(self.s)
        one_minus_p = stable_sigmoid(-self.s)
        with np.errstate(divide="ignore"):
            self.dp = np.divide(-1.0, p)
        self.du = -self.y * one_minus_p
        return self.du * self.x.T

    def batch_loss_and_grad(self, X, y):
        B = X.shape[0]
        s = y * (X @ self.w).ravel()
        loss = np.mean(np.logaddexp(0, -s))
        one_minus_p = np.exp(-np.logaddexp(0, s))
        grad = -(y * one_minus_p) @ X / B
        return loss, grad.reshape(1, -1)

    def predict(self, X):
        scores = (X @ self.w).ravel()
        return np.where(scores >= 0, 1, -1)


def train(X, y, lr=0.1, steps=200):
    model = LogisticRegression(np.zeros((X.shape[1], 1)))
    for _ in range(steps):
        _, grad = model.batch_loss_and_grad(X, y)
        model.w = model.w - lr * grad.T
    return model.w
