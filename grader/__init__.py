"""backprop-grader: exercises and an autograder for backpropagation.

Public API (also the `grade` command's subcommands):

    from grader import grade, build, list_exercises
    report = grade("my_work/")          # a grader.outputs.results.Report

Subpackages: `isolation` (the untrusted worker and the parent's end of it), `judging`, `authoring`,
`submissions`, `outputs`. Heavy modules load lazily, so `import grader` (done by every worker) stays cheap.
"""

__version__ = "0.1.0"
__all__ = ["grade", "build", "list_exercises", "__version__"]


def __getattr__(name):
    if name in ("grade", "build", "list_exercises"):
        from grader import api

        return getattr(api, name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
