# Sleep: a CPU-time limit alone never stops this.
import time


class Linear:
    def __init__(self, W, b):
        pass

    def forward(self, x):
        time.sleep(3600)

    def backward(self, dz):
        time.sleep(3600)

    def jacobian(self):
        time.sleep(3600)
