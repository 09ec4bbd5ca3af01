import numpy as np


class Dot:
    def forward(self, w, x):
        self.w, self.x = w, x
        u = np.dot(w.T, x)
        return u.item()

    def backward(self, du):
        dw = du * self.x.T
        dx = du * self.w.T
        return dw, dx


class Sigmoid:
    def forward(self, u):
        u = float(u)
        if u >= 0:
            self.out = 1 / (1 + np.exp(-u))
        else:
            self.out = np.exp(u) / (1 + np.exp(u))
        return self.out

    def backward(self, dp):
        s = self.out
        return dp * s * (1 - s)


class NegLog:
    def forward(self, p):
        self.p = p
        return -np.log(p)

    def backward(self, dL=1.0):
        return -dL / self.p


class LogisticRegression:
    """L = -log sigmoid(y w^T x)"""

    def __init__(self, w):
        self.w = w

    def forward(self, x, y):
        self.x, self.y = x, y
        self.dot = Dot()
        u = self.dot.forward(self.w, x)
        self.s = y * u
        # softplus(-s) written without overflow
        L = max(0.0, -self.s) + np.log1p(np.exp(-abs(self.s)))
        return float(L)

    def backward(self):
        s, y = self.s, self.y
        if s >= 0:
            p = 1 / (1 + np.exp(-s))
            q = np.exp(-s) / (1 + np.exp(-s))
        else:
            p = np.exp(s) / (1 + np.exp(s))
            q = 1 / (1 + np.exp(s))
        with np.errstate(divide="ignore"):
            self.dp = float(np.divide(-1.0, p))
        ds = self.dp * p * (1 - p)      # chain rule through NegLog then Sigmoid
        self.du = y * ds
        dw, _ = self.dot.backward(self.du)
        return dw

    def batch_loss_and_grad(self, X, y):
        n = len(y)
        s = y * (X @ self.w)[:, 0]
        losses = np.maximum(0, -s) + np.log1p(np.exp(-np.abs(s)))
        q = np.where(s >= 0, np.exp(-np.abs(s)) / (1 + np.exp(-np.abs(s))), 1 / (1 + np.exp(-np.abs(s))))
        grad = np.zeros((1, X.shape[1]))
        for i in range(n):
            grad += -y[i] * q[i] * X[i:i + 1, :]
        grad = grad / n
        return float(losses.mean()), grad

    def predict(self, X):
        scores = (X @ self.w)[:, 0]
        return np.where(scores >= 0, 1, -1)


def train(X, y, lr=0.1, steps=200):
    w = np.zeros((X.shape[1], 1))
    model = LogisticRegression(w)
    for it in range(steps):
        loss, g = model.batch_loss_and_grad(X, y)
        model.w = model.w - lr * g.T
    return model.w
