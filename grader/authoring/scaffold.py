"""`grade new`: a working exercise skeleton for course staff to edit.

`new_exercise(course, "tanh", convention="column", style="class")` writes
- reference/<id>.py: a small working solution with `### BEGIN/END SOLUTION`
  markers and docstrings that state every shape in named dimensions (the
  declaration reads them: `grader.authoring.declare`);
- exercises/<id>/checks.py: the declaration, about ten lines;
- exercises/<id>/README.md: a statement with the table of checks and points;
and adds the exercise to an assignment of course.toml. `grade build` then
makes the stub, the notebook and the public cases; the reference gets full
marks. Nothing that exists is overwritten.

Styles: "class" (a layer class with forward and backward) or "function" (a
pair `<id>_forward(...) -> (out, cache)`, `<id>_backward(dout, cache)`).
Conventions: "column" (the notes: columns, row gradients) or "batch" (rows
are examples, a gradient has its variable's shape).
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from grader.outputs import atomic
from grader.errors import UsageError

STYLES = ("class", "function")
CONVENTIONS = ("column", "batch")

_COLUMN_CLASS = '''"""Exercise `{id}`: y = tanh(x), elementwise, as a layer.

Convention: column (the lecture notes). A vector is a column (n, 1); the
gradient of the loss L with respect to a column (n, 1) is a row (1, n).

Dimensions: n = number of units.
"""

import numpy as np


class {cls}:
    """y = tanh(x), elementwise."""

    def forward(self, x):
        """x: (n, 1) column; returns y = tanh(x): (n, 1) column.

        Keeps what `backward` needs; does not modify x.
        """
        ### BEGIN SOLUTION
        self.y = np.tanh(x)
        return self.y
        ### END SOLUTION

    def backward(self, dy):
        """dy: ∇_y L (1, n) row; returns dx: ∇_x L (1, n) row. Call `forward` first."""
        ### BEGIN SOLUTION
        return dy * (1.0 - self.y ** 2).T
        ### END SOLUTION
'''

_BATCH_CLASS = '''"""Exercise `{id}`: a linear layer without bias on a batch, Z = X W.

Convention: batch. Rows are examples; every gradient has its variable's shape.

Dimensions: N = batch size, D = inputs per example, M = outputs per example.
"""

import numpy as np


class {cls}:
    """Z = X W for a batch X with one example per row."""

    def __init__(self, W):
        """W: (D, M) weights; the grader sets them, and never expects them to change."""
        self.W = W

    def forward(self, X):
        """X: (N, D) one example per row; returns Z = X W: (N, M).

        Keeps what `backward` needs; does not modify X.
        """
        ### BEGIN SOLUTION
        self.X = X
        return X @ self.W
        ### END SOLUTION

    def backward(self, dZ):
        """dZ: ∇_Z L (N, M); returns dX: ∇_X L (N, D).

        Also sets self.dW = ∇_W L: (D, M), summed over the batch. Call `forward` first.
        """
        ### BEGIN SOLUTION
        self.dW = self.X.T @ dZ
        return dZ @ self.W.T
        ### END SOLUTION
'''

_COLUMN_FUNCTION = '''"""Exercise `{id}`: y = tanh(x), elementwise, as a pair of functions.

Convention: column (the lecture notes). A vector is a column (n, 1); the
gradient of the loss L with respect to a column (n, 1) is a row (1, n).

Dimensions: n = number of units.
"""

import numpy as np


def {id}_forward(x):
    """x: (n, 1) column.

    returns (y, cache). y: (n, 1) column, tanh(x); cache: what {id}_backward needs.
    """
    ### BEGIN SOLUTION
    y = np.tanh(x)
    return y, y
    ### END SOLUTION


def {id}_backward(dy, cache):
    """dy: ∇_y L (1, n) row; cache: from {id}_forward; returns dx: ∇_x L (1, n) row."""
    ### BEGIN SOLUTION
    y = cache
    return dy * (1.0 - y ** 2).T
    ### END SOLUTION
'''

_BATCH_FUNCTION = '''"""Exercise `{id}`: an affine layer on a batch, out = x w + b, as a pair of functions.

Convention: batch. Rows are examples; every gradient has its variable's shape.

Dimensions: N = batch size, D = inputs per example, M = outputs per example.
"""

import numpy as np


def {id}_forward(x, w, b):
    """x: (N, D) one example per row; w: (D, M); b: (M,).

    returns (out, cache). out: (N, M), x w + b; cache: what {id}_backward needs.
    """
    ### BEGIN SOLUTION
    return x @ w + b, (x, w)
    ### END SOLUTION


def {id}_backward(dout, cache):
    """dout: ∇_out L (N, M); cache: from {id}_forward.

    returns (dx, dw, db). dx: (N, D); dw: (D, M); db: (M,), summed over the batch.
    """
    ### BEGIN SOLUTION
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)
    ### END SOLUTION
'''

#: The skeleton statement's math for each template, in LaTeX (the notebook renders it).
_MATH = {
    ("column", "class"): r"$y = \tanh(x)$ entry by entry, so $\partial y_i / \partial x_i = 1 - y_i^2$ and "
                         r"$\nabla_x L = \nabla_y L \odot (1 - y^2)^T$, a row like $\nabla_y L$.",
    ("column", "function"): r"$y = \tanh(x)$ entry by entry, so $\partial y_i / \partial x_i = 1 - y_i^2$ and "
                            r"$\nabla_x L = \nabla_y L \odot (1 - y^2)^T$, a row like $\nabla_y L$.",
    ("batch", "class"): r"$Z = XW$, so $\nabla_X L = \nabla_Z L\, W^T$ and $\nabla_W L = X^T \nabla_Z L$, "
                        r"a sum over the batch.",
    ("batch", "function"): r"$\text{out} = xw + b$, so $\nabla_x L = \nabla_{\text{out}} L\, w^T$, "
                           r"$\nabla_w L = x^T \nabla_{\text{out}} L$ and $\nabla_b L = \sum_i "
                           r"(\nabla_{\text{out}} L)_{i,:}$, summed over the batch.",
}

_TEMPLATES = {("column", "class"): _COLUMN_CLASS, ("batch", "class"): _BATCH_CLASS,
              ("column", "function"): _COLUMN_FUNCTION, ("batch", "function"): _BATCH_FUNCTION}
_SIZES = {"column": ('[{"n": 4}, {"n": 6}]', '[{"n": 3}, {"n": 7}]'),
          "batch": ('[{"N": 5, "D": 4, "M": 3}]', '[{"N": 2, "D": 3, "M": 6}, {"N": 1, "D": 5, "M": 2}]')}

_CHECKS = '''"""Checks for exercise `{id}` (read from reference/{id}.py; see docs/authoring.md)."""

from grader.authoring import {maker}

EXERCISE = {maker}(
    "{id}",{cls_arg}
    convention="{convention}",
    title="{title}",
    public={public},
    hidden={hidden},
    points={{}},   # check id (without "{id}.") -> points; every check is worth 1 otherwise
)
'''


def skeleton_blocks() -> list[str]:
    """The solution blocks of every skeleton, as `grader.authoring.release` compares them (public: they ship here)."""
    from grader.authoring.release import _SOLUTION, _code_lines

    return [_code_lines(b) for t in _TEMPLATES.values() for b in _SOLUTION.findall(t.format(id="x", cls="X"))]


def class_name(exercise_id: str) -> str:
    """`leaky_relu` -> `LeakyRelu`."""
    return "".join(part[:1].upper() + part[1:] for part in exercise_id.split("_") if part)


def check_id(exercise_id: str) -> None:
    """Refuse ids that cannot be a module, a folder and a check-id prefix."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", exercise_id) or keyword.iskeyword(exercise_id):
        raise UsageError(f"{exercise_id!r} cannot be an exercise id: use lower-case letters, digits and _, "
                         f"starting with a letter (for example leaky_relu)")


def statement(exercise, math: str = "") -> str:
    """A statement skeleton whose table of checks matches the declaration."""
    rows = "\n".join(f"| `{c.id}` | {c.points:g} | {c.title} |" for c in exercise.checks)
    return (f"# Exercise `{exercise.id}`: {exercise.title}\n\n"
            "Say here, in your own words, what the student builds and why.\n\n"
            "## The convention\n\nState the shapes of every input and result (they are the reference's "
            f"docstrings).\n\n## The math\n\n{math or 'Derive the backward pass.'}\n\n"
            "## What is checked\n\n| check id | points | what it looks at |\n|---|---|---|\n"
            f"{rows}\n")


def new_exercise(course, exercise_id: str, *, convention: str = "column", style: str = "class",
                 assignment: str | None = None, title: str = "") -> list[Path]:
    """Write the skeleton of a new exercise into `course`; return the files written (see the module docstring)."""
    check_id(exercise_id)
    if convention not in CONVENTIONS:
        raise UsageError(f"--convention must be one of {', '.join(CONVENTIONS)}, not {convention!r}")
    if style not in STYLES:
        raise UsageError(f"--style must be one of {', '.join(STYLES)}, not {style!r}")
    reference = course.reference_dir / f"{exercise_id}.py"
    folder = course.exercises_dir / exercise_id
    for path in (reference, folder):
        if path.exists():
            raise UsageError(f"{path.relative_to(course.root)} already exists: choose another id, or remove it first")
    cls = class_name(exercise_id)
    title = title or (f"{cls} layer" if style == "class" else f"{exercise_id} forward and backward")
    public, hidden = _SIZES[convention]
    checks = _CHECKS.format(id=exercise_id, maker="layer" if style == "class" else "functions",
                            cls_arg=f' "{cls}",' if style == "class" else "", convention=convention,
                            title=title.replace('"', "'"), public=public, hidden=hidden)
    target = assignment or course.assignment(None).id      # read before the new folder exists
    course_file = course.course_file
    before = course_file.read_text(encoding="utf-8") if course_file.is_file() else None
    written = []
    try:
        reference.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(reference, _TEMPLATES[(convention, style)].format(id=exercise_id, cls=cls))
        written.append(reference)
        folder.mkdir(parents=True)
        atomic.write_text(folder / "checks.py", checks)
        written.append(folder / "checks.py")
        course.add_to_assignment(target, exercise_id)
        exercise = course.exercise(exercise_id)
        atomic.write_text(folder / "README.md", statement(exercise, _MATH[(convention, style)]))
        written.append(folder / "README.md")
    except BaseException:
        # Leave the course as it was: no half-written exercise, course.toml unchanged.
        for path in written:
            path.unlink(missing_ok=True)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        if before is None:
            course_file.unlink(missing_ok=True)
        elif course_file.read_text(encoding="utf-8") != before:
            atomic.write_text(course_file, before)
        raise
    return written
