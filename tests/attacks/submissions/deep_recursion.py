# Recurse without end, in Python and with the recursion limit raised.
import sys


def down(n):
    return down(n + 1) + 1


class Linear:
    def __init__(self, W, b):
        pass

    def forward(self, x):
        return down(0)

    def backward(self, dz):
        sys.setrecursionlimit(10**7)
        return down(0)

    def jacobian(self):
        return down(0)
