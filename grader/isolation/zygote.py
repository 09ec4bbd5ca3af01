"""A trusted fork server: one interpreter that has imported numpy, forking fresh workers.

Starting an interpreter and importing numpy costs about 0.1 s of CPU; a
batch of a class needs four workers per student. The zygote pays that cost
once. It never runs student code and holds no student data: for each
request it forks, and only the child becomes a worker (`grader.isolation.worker.serve`),
so every student gets a process that no other student has touched.

Protocol (SOCK_SEQPACKET Unix socket pair, both ends trusted):
  parent → zygote: one message holding the worker's JSON config and, as
                   SCM_RIGHTS, six descriptors: the request pipe's read end,
                   the response pipe's write end, stdout and stderr write
                   ends, the status pipe's write end, and the memory shared
                   with the parent (`grader.isolation.session.SHARED_BYTES`);
  zygote → parent: {"pid": N}, the new worker's pid (also its process group).
The zygote reaps its children; the parent learns how a worker ended from
the worker's holder on the status pipe, and kills it by process group.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

#: Descriptor order in a spawn request.
FD_ORDER = ("fd_in", "fd_out", "stdout", "stderr", "fd_status", "fd_shared")


class ZygoteError(OSError):
    """The fork server is not available (it failed to start or has died)."""


class Zygote:
    """The parent's handle on a fork server. Thread-safe; close() when done."""

    def __init__(self, python: str | None = None):
        from grader.isolation.session import worker_env

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # It writes no file: the temp folder serves as its home, and each worker gets its own scratch.
        home = tempfile.gettempdir()
        try:
            self.proc = subprocess.Popen(
                [python or sys.executable, "-I", "-B", "-u", "-m", "grader.isolation.zygote", str(theirs.fileno())],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, start_new_session=True, env=worker_env(home), cwd=home)
        finally:
            theirs.close()
        self._sock = ours
        self._lock = threading.Lock()
        ready = self._sock.recv(64)
        if ready != b"ready":
            err = self.proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
            self.close()
            raise ZygoteError(f"the worker fork server could not start: {err[-1] if err else 'no answer'}")

    def spawn(self, config: dict, fds: dict[str, int]) -> int:
        """Fork a worker for `config`, handing it the given descriptors; returns its pid."""
        data = json.dumps(config).encode()
        with self._lock:
            try:
                socket.send_fds(self._sock, [data], [fds[name] for name in FD_ORDER])
                reply = self._sock.recv(256)
            except OSError as exc:
                raise ZygoteError(f"the worker fork server is gone: {exc}") from None
        if not reply:
            raise ZygoteError("the worker fork server is gone")
        return int(json.loads(reply)["pid"])

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()

    def __enter__(self) -> "Zygote":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _child(config: dict, fds: list[int]) -> int:
    """In the forked child: become the worker described by config."""
    from grader.isolation import worker

    os.setsid()
    named = dict(zip(FD_ORDER, fds))
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(named["stdout"], 1)
    os.dup2(named["stderr"], 2)
    keep = {named["fd_in"], named["fd_out"], named["fd_status"], named["fd_shared"]}
    worker._close_except(keep)
    config.update({name: named[name] for name in ("fd_in", "fd_out", "fd_status", "fd_shared")})
    os.chdir(config["scratch"])
    os.environ.update({"HOME": config["scratch"], "TMPDIR": config["scratch"]})
    return worker.serve(config)


def main(argv: list[str] | None = None) -> int:
    """The fork server's loop (trusted; runs no student code)."""
    fd = int((argv if argv is not None else sys.argv[1:])[0])
    import numpy  # noqa: F401 - the point of the zygote: imported once

    from grader.isolation import protocol, sandbox, script, worker  # noqa: F401 - loaded once, shared by forks

    sandbox.die_with_parent()
    sandbox.read_only_paths()          # computed once here, inherited by every fork
    import gc

    gc.collect()
    gc.freeze()                        # the children's collector never walks (and copies) these pages

    sock = socket.socket(fileno=fd)
    sock.send(b"ready")
    while True:
        _reap()
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, len(FD_ORDER))
        except OSError:
            return 0
        if not msg:
            return 0
        if len(fds) != len(FD_ORDER):
            for f in fds:
                os.close(f)
            continue
        config = json.loads(msg)
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                sock.close()
                code = _child(config, fds)
            except BaseException:  # noqa: BLE001 - never return into the server loop
                pass
            os._exit(code)
        for f in fds:
            os.close(f)
        sock.send(json.dumps({"pid": pid}).encode())


if __name__ == "__main__":
    os._exit(main())
