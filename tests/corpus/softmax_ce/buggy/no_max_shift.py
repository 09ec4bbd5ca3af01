import numpy as np


def softmax_ce_forward(logits, y):
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    return -np.log(p[np.arange(len(y)), y]).mean(), (p, y)


def softmax_ce_backward(dloss, cache):
    p, y = cache
    g = p.copy()
    g[np.arange(len(y)), y] -= 1.0
    return dloss * g / len(y)
