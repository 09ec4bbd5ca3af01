"""Attack: grading as root, student code uses root's capabilities (device nodes, hostname, fanotify, real time).

A submission's code calls the privileged system calls an attacker would use
to reach the host when the worker keeps root: a character device made in
its scratch folder (the kernel log was written through one), a block device
node of the root disk, sethostname, fanotify on the whole file system,
SCHED_FIFO, and it reads its own uid and effective capabilities. Every one
must be refused, whatever layers are on; as an ordinary user too, whose
worker holds capabilities inside its user namespace unless it drops them. Each probe is made harmless on a
vulnerable grader: the hostname is set to its current value, the fanotify
descriptor marks nothing, and the device nodes are only made, never used.
"""

from __future__ import annotations

import os
from textwrap import dedent

import pytest

from grader import api
from grader.isolation.script import func
from grader.isolation.session import Isolation, WorkerSession

from conftest import REFERENCE, needs

PROBES = dedent("""
    import ctypes
    import os
    import socket

    import numpy as np

    libc = ctypes.CDLL(None, use_errno=True)

    def _errno(res):
        return 0 if res == 0 or res > 0 else ctypes.get_errno() or 1

    def char_device():
        path = os.path.join(os.getcwd(), "kmsg")
        try:
            os.mknod(path, 0o600 | 0o020000, os.makedev(1, 11))      # /dev/kmsg's numbers
            return 0
        except OSError as exc:
            return exc.errno or 1

    def block_device():
        try:
            os.mknod(os.path.join(os.getcwd(), "disk"), 0o600 | 0o060000, os.makedev(8, 0))
            return 0
        except OSError as exc:
            return exc.errno or 1

    def hostname():
        name = socket.gethostname().encode()
        return _errno(libc.sethostname(name, len(name)))

    def fanotify():
        libc.fanotify_init.restype = ctypes.c_int
        fd = libc.fanotify_init(0, 0)
        if fd >= 0:
            os.close(fd)
            return 0
        return ctypes.get_errno() or 1

    def realtime():
        class Param(ctypes.Structure):
            _fields_ = [("priority", ctypes.c_int)]
        res = libc.sched_setscheduler(0, 1, ctypes.byref(Param(1)))       # SCHED_FIFO
        if res == 0:
            libc.sched_setscheduler(0, 0, ctypes.byref(Param(0)))         # back to SCHED_OTHER
        return _errno(res)

    def effective_caps():
        class Header(ctypes.Structure):
            _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
        class Data(ctypes.Structure):
            _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                        ("inheritable", ctypes.c_uint32)]
        data = (Data * 2)()
        libc.capget(ctypes.byref(Header(0x20080522, 0)), data)
        return data[0].effective | data[1].effective | data[0].permitted | data[1].permitted

    def probe():
        return np.array([os.getuid(), os.geteuid(), effective_caps(), char_device(), block_device(),
                         hostname(), fanotify(), realtime()], dtype=np.float64)
""")
NAMES = ("uid", "euid", "capabilities", "char device", "block device", "sethostname", "fanotify", "SCHED_FIFO")

ROOT_ONLY = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                               reason="the attack needs a grader running as root")


def probe(tmp_path, isolation: Isolation) -> dict[str, float]:
    path = tmp_path / "attacker.py"
    path.write_text(PROBES)
    with WorkerSession(str(path), "attacker", isolation=isolation) as s:
        assert s.handshake().loaded
        run = s.run((func("r", "probe"),), {})
    value = run.outcomes[0].value
    assert value is not None and value.kind == "array", run.outcomes[0]
    return dict(zip(NAMES, value.array.tolist()))


@pytest.mark.parametrize("layers", ["all", "off"])
def test_does_student_code_run_without_root_and_without_any_capability(tmp_path, layers):
    got = probe(tmp_path, Isolation() if layers == "all" else Isolation.off())
    assert got["uid"] != 0 and got["euid"] != 0, got
    assert got["capabilities"] == 0, got


@pytest.mark.parametrize("layers", ["all", "off"])
def test_is_every_privileged_call_refused(tmp_path, layers):
    got = probe(tmp_path, Isolation() if layers == "all" else Isolation.off())
    allowed = [name for name in NAMES[3:] if got[name] == 0]
    assert allowed == [], f"student code could use: {allowed}"


@ROOT_ONLY
@needs("fc")
def test_does_grade_as_root_run_student_code_as_an_unprivileged_uid(tmp_path):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "fc.py").write_bytes((REFERENCE / "fc.py").read_bytes())
    report = api.grade(folder, exercise="fc", timeout=5)
    assert report.exercises[0].score == report.exercises[0].max_score
    assert report.worker_uid is not None and report.worker_uid != 0
    assert "uid" in report.isolation
