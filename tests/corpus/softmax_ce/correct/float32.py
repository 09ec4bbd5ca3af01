import numpy as np


def softmax_ce_forward(logits, y):
    s = logits.astype(np.float32)
    s = s - s.max(axis=1, keepdims=True)
    log_z = np.log(np.exp(s).sum(axis=1, keepdims=True))
    log_p = s - log_z
    n = s.shape[0]
    return -log_p[np.arange(n), y].mean(), (np.exp(log_p), y)


def softmax_ce_backward(dloss, cache):
    p, y = cache
    g = p.copy()
    g[np.arange(p.shape[0]), y] -= 1
    return (g * np.float32(dloss) / np.float32(p.shape[0])).astype(np.float32)
