import math

import numpy as np


def softmax_ce_forward(logits, y):
    N, C = logits.shape
    probs = np.zeros((N, C))
    total = 0.0
    for i in range(N):
        m = max(logits[i])
        exps = [math.exp(v - m) for v in logits[i]]
        z = sum(exps)
        for j in range(C):
            probs[i, j] = exps[j] / z
        total += -(logits[i, y[i]] - m - math.log(z))
    return total / N, {"probs": probs, "y": y.copy()}


def softmax_ce_backward(dloss, cache):
    probs, y = cache["probs"], cache["y"]
    N, C = probs.shape
    grad = np.zeros((N, C))
    for i in range(N):
        for j in range(C):
            grad[i, j] = (probs[i, j] - (1.0 if j == y[i] else 0.0)) / N * dloss
    return grad
