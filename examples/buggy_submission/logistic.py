# A student's logistic regression graph. Mistakes: float() of the (1, 1)
# array wᵀx (numpy >= 2.4 refuses it), and a loss that overflows for large |wᵀx|.
import numpy as np


def sigmoid(s):
    return 1.0 / (1.0 + np.exp(-s))


class Dot:
    def forward(self, w, x):
        self.w, self.x = w, x
        return float(w.T @ x)

    def backward(self, du):
        return du * self.x.T, du * self.w.T


class Sigmoid:
    def forward(self, u):
        self.p = sigmoid(u)
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
        self.x, self.y = x, y
        self.p = sigmoid(y * (self.w.T @ x).item())
        return -np.log(self.p)             # overflows when y·wᵀx is very negative

    def backward(self):
        self.dp = -1.0 / self.p
        self.du = -self.y * (1 - self.p)
        return self.du * self.x.T

    def batch_loss_and_grad(self, X, y):
        s = y * (X @ self.w)[:, 0]
        p = sigmoid(s)
        loss = np.mean(-np.log(p))
        grad = -((y * (1 - p)) @ X)[None, :] / X.shape[0]
        return loss, grad

    def predict(self, X):
        return np.where((X @ self.w)[:, 0] >= 0, 1, -1)


def train(X, y, lr=0.1, steps=200):
    model = LogisticRegression(np.zeros((X.shape[1], 1)))
    for _ in range(steps):
        _, grad = model.batch_loss_and_grad(X, y)
        model.w = model.w - lr * grad.T
    return model.w
