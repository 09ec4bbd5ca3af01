# Spin forever.
class Linear:
    def __init__(self, W, b):
        pass

    def forward(self, x):
        while True:
            pass

    def backward(self, dz):
        while True:
            pass

    def jacobian(self):
        while True:
            pass
