"""What a step produced, as plain frozen data in the trusted parent.

Every result of a student's call arrives as a value tree (`grader.isolation.protocol`),
already validated; here it becomes a `Value` (what was returned) or a
`StepError` (what went wrong). The parent forms every verdict from these.
Every string that comes from the worker (type names, exception types and
messages, traceback lines, blocked operations) passes through
`grader.outputs.neutral.visible` here, on entry, so no later message can carry a
raw control or bidi character from student code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from grader.outputs.neutral import visible


@dataclass(frozen=True)
class Value:
    """A value returned by student (or reference) code.

    kind is one of:
      "array"    an exact np.ndarray with a numeric dtype (`array` set; its dtype names the type)
      "subclass" an ndarray subclass such as np.matrix (`array` holds the data, `type_name` the class)
      "badarray" an ndarray of a non-numeric dtype (`type_name` holds the dtype; `array` may hold float64 data)
      "scalar"   a Python or numpy number (`array` is 0-d, `type_name` is e.g. "float" or "numpy.float64")
      "seq"      a tuple or list (`items`, `type_name` is "tuple" or "list")
      "none"     None
      "other"    anything else (`type_name`)
    """

    kind: str
    array: np.ndarray | None = None
    type_name: str = ""
    items: tuple["Value", ...] = ()
    shape: tuple[int, ...] = ()

    def describe(self) -> str:
        """A short phrase for messages, e.g. "a float64 ndarray of shape (3, 1)"."""
        if self.kind == "array":
            return f"a {self.array.dtype.name} ndarray of shape {_shape(self.array.shape)}"
        if self.kind == "subclass":
            return f"a {self.type_name} (an ndarray subclass) of shape {_shape(self.array.shape)}"
        if self.kind == "badarray":
            return f"an ndarray of dtype {self.type_name} and shape {_shape(self.shape)}"
        if self.kind == "scalar":
            return f"a {self.type_name} scalar"
        if self.kind == "seq":
            return f"a {self.type_name} of {len(self.items)} items"
        if self.kind == "none":
            return "None"
        return f"an object of type {self.type_name}"


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def shape_text(shape: tuple[int, ...]) -> str:
    """Format a shape the way numpy prints it: (3,), (3, 1), ()."""
    return _shape(tuple(shape))


def from_tree(tree: dict) -> Value:
    """Build a Value from a decoded, validated value tree."""
    tag = tree["t"]
    if tag == "nd":
        return Value("array", tree["array"], "", shape=tree["array"].shape)
    if tag == "nd_sub":
        return Value("subclass", tree["array"], visible(tree["cls"]), shape=tree["array"].shape)
    if tag == "nd_bad":
        return Value("badarray", tree.get("array"), visible(tree["dtype"]), shape=tuple(tree["shape"]))
    if tag == "scalar":
        return Value("scalar", tree["array"], visible(tree["py"]))
    if tag == "seq":
        return Value("seq", None, visible(tree["kind"]), tuple(from_tree(i) for i in tree["items"]))
    if tag == "none":
        return Value("none")
    return Value("other", None, visible(tree["type"]))


@dataclass(frozen=True)
class Frame:
    """One traceback frame from the student's own files."""

    file: str
    line: int
    func: str
    code: str


#: Kinds of StepError, as reported by the worker or decided by the parent.
ERROR_KINDS = frozenset({
    "not_implemented",  # NotImplementedError: the stub is still there
    "crashed",          # any other exception
    "memory",           # MemoryError
    "recursion",        # RecursionError
    "exit",             # sys.exit() / SystemExit
    "interrupt",        # KeyboardInterrupt
    "missing",          # a class, function, method or attribute does not exist
    "skipped",          # an earlier step this one needs failed
    "timeout",          # the exercise ran out of time before this step finished
    "died",             # the worker process died before this step finished
    "not_run",          # an earlier call of the exercise did not finish, so this step never ran
    "lost",             # this step finished, but its result was lost when a later call of its trial timed out
    "forbidden",        # the sandbox blocked an operation (PermissionError and the like)
})


@dataclass(frozen=True)
class StepError:
    """Why a step produced no value."""

    kind: str
    exc_type: str = ""
    message: str = ""
    frames: tuple[Frame, ...] = ()

    def headline(self) -> str:
        """One line: "ValueError: shapes (3,5) and (3,1) not aligned"."""
        if self.exc_type:
            return f"{self.exc_type}: {self.message}" if self.message else self.exc_type
        return self.message


#: Maps a frame's (file, line) to where the student wrote it, e.g. ("cell 3", 12) for a notebook; None keeps it.
Locate = Callable[[str, int], "tuple[str, int] | None"]


def _field(record: dict, key: str, limit: int) -> str:
    """A text field of an untrusted record: the string, cut to `limit`, or "" for anything that is not a string."""
    value = record.get(key)
    return value[:limit] if isinstance(value, str) else ""


def error_from_record(record: object, locate: Locate | None = None) -> StepError:
    """Validate an error record from the worker (untrusted) into a StepError.

    Only strings and integers are taken from it (anything else counts as
    absent), each cut to a length and made visible (`grader.outputs.neutral`).
    locate: for code converted from a notebook, moves frames from the
    generated module back to the cell they came from.
    """
    if not isinstance(record, dict):
        return StepError("crashed", "", "the worker sent a malformed error report")
    kind = record.get("kind")
    if not isinstance(kind, str) or kind not in ERROR_KINDS:
        kind = "crashed"
    frames = []
    raw = record.get("frames")
    if isinstance(raw, list):
        for f in raw[:12]:
            if isinstance(f, dict):
                line = f.get("line")
                file, line = _field(f, "file", 200), line if type(line) is int else 0
                if locate is not None:
                    file, line = locate(file, line) or (file, line)
                frames.append(Frame(visible(file), line, visible(_field(f, "func", 200)),
                                    visible(_field(f, "code", 300))))
    return StepError(kind, visible(_field(record, "exc", 200)), visible(_field(record, "msg", 2000)),
                     tuple(frames))


@dataclass(frozen=True)
class Outcome:
    """The result of one step: a value or an error, and blocked operations it attempted."""

    value: Value | None = None
    error: StepError | None = None
    attempts: tuple[str, ...] = ()
    #: The worker saw float32 in the student's results or state by this step (widens the tolerance only).
    float32: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def attempts_from(raw: object) -> tuple[str, ...]:
    """Validate the worker's list of attempted blocked operations (untrusted)."""
    if not isinstance(raw, list):
        return ()
    return tuple(visible(a[:240]) for a in raw[:20] if isinstance(a, str))
