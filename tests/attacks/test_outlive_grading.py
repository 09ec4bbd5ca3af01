"""Attack: code that outlives grading by clearing its parent-death signal and leaving the process group.

As root, setfsuid() (like any credential change) clears the parent-death
signal; setsid() then takes the worker out of the process group the
parent kills. A worker that did both and then sleeps lived on after
grading, forever, with the student's memory. With seccomp off, it can
also fork a grandchild that calls setsid() itself. After grading, no
process of the submission may be left.
"""

from __future__ import annotations

import time
from textwrap import dedent

import pytest

from grader import api

from conftest import lingering, needs

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")

ESCAPE = dedent("""
    import ctypes
    import os
    import time

    libc = ctypes.CDLL(None, use_errno=True)


    def _escape():
        libc.setfsuid(4321)          # clears the parent-death signal when it changes anything (root)
        libc.prctl(1, 0, 0, 0, 0)    # PR_SET_PDEATHSIG 0: clears it directly
        try:
            os.setsid()
        except OSError:
            pass
        try:
            if os.fork() == 0:
                os.setsid()
                time.sleep(3600)
                os._exit(0)
        except OSError:
            pass
        time.sleep(3600)


    class Linear:
        def __init__(self, W, b):
            self.W, self.b = W, b

        def forward(self, x):
            _escape()
""")


def settled() -> list[str]:
    """The submission's processes still alive 3 s after grading returned (none, if all is well)."""
    deadline = time.monotonic() + 3
    while lingering() and time.monotonic() < deadline:
        time.sleep(0.1)
    return lingering()


def test_is_no_process_left_after_grade(tmp_path):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "fc.py").write_text(ESCAPE)
    report = api.grade(folder, exercise="fc", timeout=1.5)
    assert report.exercises[0].score == 0
    assert settled() == []


@pytest.mark.parametrize("isolation", [["namespaces"], False])
def test_is_no_process_left_after_a_batch_with_fewer_layers(tmp_path, isolation):
    (tmp_path / "class" / "student").mkdir(parents=True)
    (tmp_path / "class" / "student" / "fc.py").write_text(ESCAPE)
    result = api.batch(tmp_path / "class", out=tmp_path / "out", jobs=1, timeout=1.5, isolation=isolation)
    assert result.students == 1
    assert settled() == []
