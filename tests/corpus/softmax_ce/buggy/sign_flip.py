import numpy as np


def softmax_ce_forward(logits, y):
    s = logits - logits.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean(), (np.exp(log_p), y)


def softmax_ce_backward(dloss, cache):
    p, y = cache
    onehot = np.zeros_like(p)
    onehot[np.arange(len(y)), y] = 1.0
    return dloss * (onehot - p) / len(y)
