"""Exercise `softmax_ce`: softmax with the cross-entropy loss on a batch, as a function pair.

Convention (batch, rows are examples):
- logits has one row per example: (N, C) for N examples and C classes;
- y holds the integer class of each example, (N,), with values in [0, C);
- the loss is the mean over the batch of -log p[i, y_i], where p = softmax of
  each row of logits;
- every gradient has its variable's shape: ∇_logits L is (N, C).

Dimensions: N = batch size, C = number of classes.
"""

import numpy as np


def softmax_ce_forward(logits, y):
    """logits: (N, C) scores; y: (N,) integer labels in [0, C).

    returns (loss, cache). loss: the mean cross-entropy, a scalar; cache:
    whatever softmax_ce_backward needs. Does not modify its inputs.
    """
    raise NotImplementedError("softmax_ce_forward")


def softmax_ce_backward(dloss, cache):
    """dloss: ∂L/∂loss, a scalar; cache: from softmax_ce_forward.

    returns dlogits: ∇_logits L (N, C).
    """
    raise NotImplementedError("softmax_ce_backward")
