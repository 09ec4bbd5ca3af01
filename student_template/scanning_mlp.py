"""Exercise `scanning_mlp`: an MLP scanned over a 1-D input with shared weights.

The same three-layer MLP is applied to every window of N consecutive inputs.
Because every window uses the same weights, and neighbouring windows overlap,
each weight and each input contributes to several outputs: their gradients
are sums over windows, accumulated with `+=`.

Convention (numerator layout, as in the lecture notes):
- a vector is a column: the input X has shape (T, 1) and one window
  x(t) = X[t:t+N] has shape (N, 1);
- the output O has one column per window: shape (K, T-N+1); column t is the
  MLP's output on window t;
- the gradient of the scalar loss L with respect to a column vector of shape
  (n, 1) is a row vector of shape (1, n); with respect to a matrix it keeps the
  matrix's shape; ∇_O L has O's shape (K, T-N+1).

Dimensions: T = input length, N = window length (N < T), H1 and H2 = hidden
widths, K = outputs per window, T-N+1 = number of windows.

The MLP on one window x (N, 1):
    z1 = W1 x + b1,  a1 = relu(z1),
    z2 = W2 a1 + b2, a2 = relu(z2),
    O(t) = W3 a2 + b3.
"""

import numpy as np


class ScanningMLP:
    """Three-layer MLP scanned with stride 1 over windows of length N.

    W1: (H1, N), b1: (H1, 1), W2: (H2, H1), b2: (H2, 1), W3: (K, H2), b3: (K, 1).
    After `backward`: dW1, dW2, dW3 have the shapes of W1, W2, W3, and
    db1: (1, H1), db2: (1, H2), db3: (1, K).
    """

    def __init__(self, W1, b1, W2, b2, W3, b3, N):
        """Weights as in the class docstring; N: window length (int). Nothing is modified."""
        self.W1, self.b1 = W1, b1
        self.W2, self.b2 = W2, b2
        self.W3, self.b3 = W3, b3
        self.N = int(N)
        self.T = None
        self.cache = []
        self.dW1 = self.dW2 = self.dW3 = None
        self.db1 = self.db2 = self.db3 = None

    def forward(self, X):
        """X: (T, 1) column; returns O: (K, T-N+1), column t = MLP(X[t:t+N]).

        Keeps, for every window, what `backward` needs; does not modify X.
        """
        raise NotImplementedError("ScanningMLP.forward")

    def backward(self, dO):
        """dO: ∇_O L (K, T-N+1), column t for window t; returns ∇_X L: (1, T) row.

        Sets dW1, dW2, dW3 (shapes of W1, W2, W3) and db1 (1, H1),
        db2 (1, H2), db3 (1, K). Within one call, contributions of every
        window are summed with `+=`; every call starts again from zero.
        Call `forward` first.
        """
        raise NotImplementedError("ScanningMLP.backward")
