# Keeps everything as numpy arrays: wᵀx is a (1, 1) array and so is the loss,
# self.dp and self.du (the statement accepts (1, 1) scalars).
import numpy as np


class Dot:
    def forward(self, w, x):
        self.w, self.x = w, x
        return w.T @ x                          # (1, 1)

    def backward(self, du):
        return du * self.x.T, du * self.w.T


class Sigmoid:
    def forward(self, u):
        u = np.asarray(u, dtype=float)
        self.p = np.where(u >= 0, 1 / (1 + np.exp(-np.abs(u))),
                          np.exp(-np.abs(u)) / (1 + np.exp(-np.abs(u))))
        return self.p

    def backward(self, dp):
        return dp * self.p * (1 - self.p)


class NegLog:
    def forward(self, p):
        self.p = np.asarray(p, dtype=float)
        return -np.log(self.p)

    def backward(self, dL=1.0):
        return -dL / self.p


class LogisticRegression:
    def __init__(self, w):
        self.w = w

    def forward(self, x, y):
        self.x, self.y = x, y
        self.s = y * (self.w.T @ x)             # (1, 1)
        return np.logaddexp(0, -self.s)         # (1, 1)

    def backward(self):
        a = np.exp(-np.abs(self.s))
        p = np.where(self.s >= 0, 1 / (1 + a), a / (1 + a))
        q = np.where(self.s >= 0, a / (1 + a), 1 / (1 + a))     # 1 - p
        with np.errstate(divide="ignore"):
            self.dp = -1 / p
        self.du = -self.y * q
        return self.du * self.x.T               # (1, 1) * (1, D) -> (1, D)

    def batch_loss_and_grad(self, X, y):
        s = y[:, None] * (X @ self.w)           # (B, 1)
        loss = np.logaddexp(0, -s).mean()
        q = np.exp(-np.logaddexp(0, s))         # 1 - p, (B, 1)
        grad = -(y[:, None] * q).T @ X / X.shape[0]
        return loss, grad

    def predict(self, X):
        return np.where(X @ self.w >= 0, 1, -1)[:, 0]


def train(X, y, lr=0.1, steps=200):
    model = LogisticRegression(np.zeros((X.shape[1], 1)))
    for step in range(steps):
        loss, g = model.batch_loss_and_grad(X, y)
        model.w = model.w - lr * g.T
    return model.w
