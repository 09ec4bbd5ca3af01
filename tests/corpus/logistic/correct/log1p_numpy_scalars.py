import numpy as np

# Stable loss as max(-s, 0) + log1p(exp(-|s|)).  Scalars are numpy float64.


def neg_log_sigmoid(s):
    return np.maximum(-s, 0.0) + np.log1p(np.exp(-np.abs(s)))


def sigmoid(s):
    """Vectorised stable sigmoid: exp only of non-positive numbers."""
    s = np.asarray(s, dtype=np.float64)
    e = np.exp(-np.abs(s))
    return np.where(s >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class Dot:
    def forward(self, w, x):
        self.w, self.x = w, x
        return np.float64((w.T @ x)[0, 0])

    def backward(self, du):
        dw = du * self.x.T
        dx = du * self.w.T
        return dw, dx


class Sigmoid:
    def forward(self, u):
        self.p = sigmoid(u)[()]
        return self.p

    def backward(self, dp):
        return dp * self.p * (1 - self.p)


class NegLog:
    def forward(self, p):
        self.p = np.float64(p)
        return -np.log(self.p)

    def backward(self, dL=1.0):
        return -dL / self.p


class LogisticRegression:
    def __init__(self, w):
        self.w = w

    def forward(self, x, y):
        self.x, self.y = x, y
        u = (self.w.T @ x)[0, 0]
        self.s = y * u
        return neg_log_sigmoid(self.s)

    def backward(self):
        p = sigmoid(self.s)[()]
        one_m_p = sigmoid(-self.s)[()]
        with np.errstate(divide="ignore"):
            self.dp = np.divide(-1.0, p)
        self.du = -self.y * one_m_p
        return self.du * self.x.T

    def batch_loss_and_grad(self, X, y):
        s = y * (X @ self.w)[:, 0]
        loss = np.mean(neg_log_sigmoid(s))
        coeff = -y * sigmoid(-s)                          # dL_i/du_i
        grad = (coeff[:, None] * X).mean(axis=0, keepdims=True)
        return loss, grad

    def predict(self, X):
        return np.where(X @ self.w[:, 0] < 0, -1.0, 1.0)


def train(X, y, lr=0.1, steps=200):
    m = LogisticRegression(np.zeros((X.shape[1], 1)))
    for _ in range(steps):
        grad = m.batch_loss_and_grad(X, y)[1]
        m.w = m.w - lr * grad.T
    return m.w
