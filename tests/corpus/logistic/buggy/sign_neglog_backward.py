import numpy as np


def sig(z):
    """Elementwise stable logistic function."""
    z = np.asarray(z, dtype=float)
    ez = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + ez), ez / (1 + ez))


class Dot:
    def forward(self, w, x):
        self.w, self.x = w, x
        return np.dot(w[:, 0], x[:, 0])

    def backward(self, du):
        return du * self.x.T, du * self.w.T


class Sigmoid:
    def forward(self, u):
        self.p = sig(u)[()]
        return self.p

    def backward(self, dp):
        return dp * self.p * (1 - self.p)


class NegLog:
    def forward(self, p):
        self.p = p
        return -np.log(p)

    def backward(self, dL=1.0):
        return dL / self.p


class LogisticRegression:
    def __init__(self, w):
        self.w = w

    def forward(self, x, y):
        self.x, self.y = x, y
        self.u = np.dot(self.w[:, 0], x[:, 0])
        self.s = y * self.u
        return np.logaddexp(0.0, -self.s)

    def backward(self):
        p = sig(self.s)[()]
        q = sig(-self.s)[()]          # 1 - p
        with np.errstate(divide="ignore"):
            self.dp = -1.0 / p
        self.du = -self.y * q
        return self.du * self.x.T

    def batch_loss_and_grad(self, X, y):
        s = y * (X @ self.w)[:, 0]
        loss = np.logaddexp(0.0, -s).mean()
        q = sig(-s)
        grad = -((y * q) @ X) / X.shape[0]
        return loss, grad[None, :]

    def predict(self, X):
        return np.where((X @ self.w)[:, 0] >= 0, 1.0, -1.0)


def train(X, y, lr=0.1, steps=200):
    model = LogisticRegression(np.zeros((X.shape[1], 1)))
    for _ in range(steps):
        grad = model.batch_loss_and_grad(X, y)[1]
        model.w = model.w - lr * grad.T
    return model.w
