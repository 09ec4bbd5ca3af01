import numpy as np

# Batch = loop over the examples through the single-example forward/backward.
# Labels are cast to int everywhere; predictions are an int array.


class Dot:
    def forward(self, w, x):
        self.w, self.x = w, x
        return np.dot(w.ravel(), x.ravel())

    def backward(self, du):
        return (du * self.x).T, (du * self.w).T


class Sigmoid:
    def forward(self, u):
        z = np.exp(-abs(u))
        self.p = 1 / (1 + z) if u >= 0 else z / (1 + z)
        return self.p

    def backward(self, dp):
        return dp * (self.p - self.p ** 2)


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
        self.y = int(y)
        self.s = self.y * np.dot(self.w.ravel(), x.ravel())
        if self.s >= 0:
            return np.log1p(np.exp(-self.s))
        return -self.s + np.log1p(np.exp(self.s))

    def backward(self):
        z = np.exp(-abs(self.s))
        if self.s >= 0:
            p, q = 1 / (1 + z), z / (1 + z)
        else:
            p, q = z / (1 + z), 1 / (1 + z)
        self.dp = -1 / p if p > 0 else -np.inf
        self.du = -self.y * q
        return self.du * self.x.T

    def batch_loss_and_grad(self, X, y):
        labels = y.astype(int)
        total, grad = 0.0, np.zeros((1, X.shape[1]))
        for xi, yi in zip(X, labels):
            total += self.forward(xi.reshape(-1, 1), yi)
            grad += self.backward()
        n = len(labels)
        return total / n, grad / n

    def predict(self, X):
        return np.array([1 if v >= 0 else -1 for v in X @ self.w.ravel()], dtype=int)


def train(X, y, lr=0.1, steps=200):
    model = LogisticRegression(np.zeros((X.shape[1], 1)))
    for _ in range(steps):
        _, grad = model.batch_loss_and_grad(X, y)
        model.w = model.w - lr * grad.T
    return model.w
