"""Typed errors with messages meant for the person who runs `grade`.

Each error carries an exit code for the CLI: 2 for anything that stops
grading before it starts (bad arguments, an unreadable submission, a broken
course setup). Problems inside a submission's code are never errors here:
they become failed checks with a diagnosis.
"""

from __future__ import annotations


class GraderError(Exception):
    """Base class: a problem the grader reports in one line, then exits."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UsageError(GraderError):
    """The command was called wrongly (unknown exercise id, bad option value)."""


class SubmissionError(GraderError):
    """The submission cannot be read at all (missing path, wrong file type, binary data)."""


class CourseError(GraderError):
    """The course folder is broken (missing exercises, a checks module that fails to load)."""


class ReferenceSolutionError(GraderError):
    """The reference solution failed while computing expected values (a staff-side bug)."""


class BuildError(GraderError):
    """`grade build` could not produce templates or fixtures from the reference."""


class WorkerStartError(GraderError):
    """The grading worker could not start (before any student code ran): an installation problem."""


class PrivilegeError(GraderError):
    """Grading would run student code with root's privileges, and that was not explicitly allowed."""
