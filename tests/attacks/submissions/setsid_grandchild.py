# Leave a grandchild behind in its own session, escaping a process-group kill.
import os
import time


def escape():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(3600)
            open("__MARK__", "w").write("escaped")
        os._exit(0)
    return None


class Linear:
    def __init__(self, W, b):
        pass

    def forward(self, x):
        return escape()

    def backward(self, dz):
        return escape()

    def jacobian(self):
        return escape()
