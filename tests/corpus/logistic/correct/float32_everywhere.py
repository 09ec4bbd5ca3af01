# float32 throughout (the statement allows float32 work).
import numpy as np

f32 = np.float32


def sig32(t):
    t = f32(t)
    e = np.exp(-np.abs(t))
    return f32(1) / (f32(1) + e) if t >= 0 else e / (f32(1) + e)


class Dot:
    def forward(self, w, x):
        self.w = w.astype(f32)
        self.x = x.astype(f32)
        return (self.w.T @ self.x)[0, 0]            # np.float32

    def backward(self, du):
        du = f32(du)
        return du * self.x.T, du * self.w.T


class Sigmoid:
    def forward(self, u):
        self.p = sig32(u)
        return self.p

    def backward(self, dp):
        return f32(dp) * self.p * (f32(1) - self.p)


class NegLog:
    def forward(self, p):
        self.p = f32(p)
        return -np.log(self.p)

    def backward(self, dL=1.0):
        return -f32(dL) / self.p


class LogisticRegression:
    def __init__(self, w):
        self.w = w

    def forward(self, x, y):
        self.x32 = x.astype(f32)
        self.y = f32(y)
        u = (self.w.astype(f32).T @ self.x32)[0, 0]
        self.s = self.y * u
        return np.logaddexp(f32(0), -self.s)

    def backward(self):
        p = sig32(self.s)
        q = sig32(-self.s)
        with np.errstate(divide="ignore"):
            self.dp = f32(-1) / p
        self.du = -self.y * q
        return self.du * self.x32.T

    def batch_loss_and_grad(self, X, y):
        X32, y32 = X.astype(f32), y.astype(f32)
        s = y32 * (X32 @ self.w.astype(f32))[:, 0]
        loss = np.logaddexp(f32(0), -s).mean(dtype=f32)
        q = np.exp(-np.logaddexp(f32(0), s))
        grad = -((y32 * q) @ X32)[None, :] / f32(X.shape[0])
        return loss, grad

    def predict(self, X):
        return np.where((X.astype(f32) @ self.w.astype(f32))[:, 0] >= 0, 1, -1)


def train(X, y, lr=0.1, steps=200):
    model = LogisticRegression(np.zeros((X.shape[1], 1), dtype=f32))
    for _ in range(steps):
        _, g = model.batch_loss_and_grad(X, y)
        model.w = model.w - f32(lr) * g.T
    return model.w
