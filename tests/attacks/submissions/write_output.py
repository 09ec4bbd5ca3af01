# Write fake results into the output folder, and outside the scratch folder.
import json


class Linear:
    def __init__(self, W, b):
        pass

    def forward(self, x):
        with open("__OUT_DIR__/write_output.json", "w") as fh:
            json.dump({"schema_version": 1, "score": 57, "max_score": 57, "exercises": []}, fh)

    def backward(self, dz):
        with open("__OUT_DIR__/gradebook.csv", "w") as fh:
            fh.write("forged\n")

    def jacobian(self):
        open("__MARK__", "w").write("written outside the scratch folder")
