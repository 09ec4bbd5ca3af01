"""The parent's side of one worker: spawn, talk, time out, tear down.

One `WorkerSession` serves one submission file. It starts the worker in a new
session (its own process group) with stdin closed and stdout/stderr captured
into capped buffers, sends trials over a dedicated pipe and reads the
streamed per-step results with a wall-clock deadline. Every read is bounded:
frames over the caps, malformed frames and too much printed output end the
session. `close()` kills the whole process group and reaps it.

The worker never sees the submission where it lies: its .py files are
copied into the worker's private scratch folder, which is the only folder
the sandbox lets it read besides the interpreter (`grader.isolation.sandbox`), and
the only one it may write. Which layers to apply is an `Isolation`; the
worker reports which ones took effect and why others were skipped.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Mapping

from grader.isolation import credentials, protocol, sandbox
from grader.submissions import safe_read
from grader.isolation.credentials import Credentials
from grader.outputs.neutral import visible
from grader.isolation.script import Step, encode_inputs
from grader.judging.values import Locate, Outcome, StepError, attempts_from, error_from_record, from_tree


@dataclass(frozen=True)
class Limits:
    """Resource limits for one worker."""

    #: Wall-clock seconds for the whole exercise, worker start-up included.
    timeout: float = 10.0
    #: Address-space limit in bytes (RLIMIT_AS).
    address_space: int = 2 << 30
    #: Largest file the worker may write, in bytes (RLIMIT_FSIZE).
    file_size: int = 64 << 20
    #: Most open file descriptors (RLIMIT_NOFILE).
    open_files: int = 256
    #: Bytes of stdout and of stderr kept for the report.
    output_kept: int = 16 << 10
    #: Total printed bytes after which the worker is killed.
    output_kill: int = 8 << 20
    #: Largest response payload accepted, in bytes.
    max_payload: int = 64 << 20


@dataclass(frozen=True)
class Isolation:
    """Which sandbox layers the worker should apply (each is skipped, with a reason, if unavailable).

    uid: when the grader runs as root, the unprivileged uid the worker drops
    to (default `grader.isolation.sandbox.worker_uid()`); None keeps root, which the
    engine allows only when asked to explicitly (`allow_root`).
    """

    namespaces: bool = True
    landlock: bool = True
    seccomp: bool = True
    uid: int | None = field(default_factory=sandbox.worker_uid)

    @classmethod
    def off(cls) -> "Isolation":
        """Only the process boundary, rlimits and, as root, the uid drop."""
        return cls(namespaces=False, landlock=False, seccomp=False)


#: Most source files, and most bytes, copied from a submission folder into the scratch folder.
MAX_STAGED_FILES = 64
MAX_STAGED_BYTES = 16 << 20


@dataclass(frozen=True)
class Termination:
    """Why a session ended early.

    kind: "timeout" (deadline passed), "died" (the process exited or was
    killed by a signal), "output" (printed too much), "protocol" (sent
    something unreadable).
    """

    kind: str
    detail: str


@dataclass(frozen=True)
class LoadReport:
    """How loading the submission went."""

    loaded: bool
    error: StepError | None
    layers: tuple[str, ...]
    termination: Termination | None = None
    started: bool = True
    skipped: tuple[tuple[str, str], ...] = ()
    attempts: tuple[str, ...] = ()
    #: The worker's privileges as the parent read them from /proc (None where /proc cannot tell).
    credentials: Credentials | None = None


@dataclass(frozen=True)
class TrialRun:
    """The outcomes of one trial's steps, in order (missing ones filled in).

    inputs_after: for a trial run with shared inputs, {input name: its bytes
    after the trial}, read by the parent itself from the shared region.
    """

    outcomes: tuple[Outcome, ...]
    termination: Termination | None = None
    seconds: float = 0.0
    inputs_after: Mapping[str, bytes] | None = None
    #: When this trial was stopped by the time limit: the index of the step that was running, as the
    #: worker last wrote it in the shared region's progress slot (None when unknown or out of range).
    #: Untrusted and used only to name the call in messages.
    running: int | None = None


@dataclass(frozen=True)
class Captured:
    """What the student's code printed (truncated) and how much in total."""

    stdout: str
    stderr: str
    total_bytes: int


#: Size of the memory shared with each worker, where the inputs of a trial checked for mutation live.
#: Pages are only allocated where the parent writes, so the size costs nothing until it is used.
SHARED_BYTES = 64 << 20
#: The last 8 bytes of the shared region: the index of the step the worker is running (little-endian int64).
PROGRESS_AT = SHARED_BYTES - 8


def _shared_region() -> int:
    """A fresh descriptor of SHARED_BYTES of memory (memfd where available, else an unlinked temp file).

    The worker maps it; the parent only ever uses pread/pwrite on it, so
    nothing the worker does to the region (even shrinking it) can fault the
    parent. Where the kernel allows, its size is sealed.
    """
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("grade-inputs", os.MFD_CLOEXEC | getattr(os, "MFD_ALLOW_SEALING", 0))
    else:
        fd, path = tempfile.mkstemp(prefix="grade-inputs-")
        os.unlink(path)
    os.ftruncate(fd, SHARED_BYTES)
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL)
    except (ImportError, AttributeError, OSError):
        pass
    return fd


def _widen(fd: int) -> None:
    """Give a protocol pipe a 1 MiB buffer (fewer wake-ups for big arrays); best effort."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass


def _stage_all(modules: Mapping[str, str], scratch: str) -> dict[str, str]:
    """Copy the submission's .py files into scratch/submission; return {module name: staged path}.

    The parent reads every byte itself (`grader.submissions.safe_read`: no link is
    followed, no special or hard-linked file is read) and writes the copies;
    the worker never sees where the submission lies. Each source folder's
    .py files are copied once (a module may import its siblings); a file
    whose name is already taken by another folder's file goes to a
    numbered subfolder. Siblings that are not real files are left out.
    """
    from grader.errors import SubmissionError

    target = os.path.join(scratch, "submission")
    os.makedirs(target)
    staged_dirs: dict[str, str] = {}
    out: dict[str, str] = {}
    total = 0

    def put(data: bytes, dest: str) -> None:
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)

    for name, path in modules.items():
        source_dir = os.path.dirname(path)
        if source_dir not in staged_dirs:
            dest = target if not staged_dirs else os.path.join(target, str(len(staged_dirs)))
            os.makedirs(dest, exist_ok=True)
            staged_dirs[source_dir] = dest
            siblings = [n for n, kind in safe_read.entries(source_dir)
                        if n.endswith(".py") and kind == "file" and n != os.path.basename(path)]
            for sib in siblings[:MAX_STAGED_FILES - 1]:
                try:
                    data = safe_read.read_bytes(os.path.join(source_dir, sib), limit=MAX_STAGED_BYTES - total)
                except SubmissionError:
                    continue
                total += len(data)
                put(data, os.path.join(dest, sib))
        dest_file = os.path.join(staged_dirs[source_dir], os.path.basename(path))
        if not os.path.exists(dest_file):
            put(safe_read.read_bytes(path, limit=MAX_STAGED_BYTES), dest_file)
        out[name] = dest_file
    return out


def worker_env(scratch: str) -> dict[str, str]:
    """The environment the worker starts with: minimal, single-threaded BLAS."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": scratch,
        "TMPDIR": scratch,
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
        # malloc: serve arrays up to 32 MiB from the heap, backed by transparent huge pages where
        # the kernel allows them (madvise). A fresh worker then takes a few page faults per array
        # instead of one per 4 KiB, which halves the cost of a 200,000-element trial. Unknown
        # tunables are ignored by older glibc; other C libraries ignore the variable.
        "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432",
    }
    return env


@dataclass
class _Buffer:
    kept: bytearray = field(default_factory=bytearray)
    total: int = 0


class WorkerSession:
    """A running worker for one submission file. Use as a context manager."""

    def __init__(self, module_path: str | None = None, module_name: str | None = None, *,
                 modules: Mapping[str, str] | None = None, limits: Limits = Limits(),
                 isolation: Isolation = Isolation(), python: str | None = None, zygote=None,
                 locate: Locate | None = None):
        """One worker for one student: `modules` maps module names to files (or give one path and name).

        locate: maps traceback frames back to notebook cells (see grader.judging.values.error_from_record).
        """
        if modules is None:
            modules = {module_name: module_path}
        self.limits = limits
        self.isolation = isolation
        self.locate = locate
        self.start_time = time.monotonic()
        self.deadline = self.start_time + limits.timeout
        self.scratch = tempfile.mkdtemp(prefix="grade-worker-")
        try:
            self.modules = _stage_all({name: os.path.abspath(p) for name, p in modules.items()}, self.scratch)
        except BaseException:
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        self._default = next(iter(self.modules)) if len(self.modules) == 1 else None
        self.module_path = self.modules[self._default] if self._default else ""
        if isolation.uid is not None and hasattr(os, "chown") and os.geteuid() == 0:
            for folder, _, names in os.walk(self.scratch):
                os.chown(folder, isolation.uid, isolation.uid)
                for name in names:
                    os.chown(os.path.join(folder, name), isolation.uid, isolation.uid)
        self.termination: Termination | None = None
        self._bufs = {"stdout": _Buffer(), "stderr": _Buffer()}
        self._reader = protocol.FrameReader(max_payload=limits.max_payload)
        self._pending: list = []        # buffers of request frames not yet written
        self._closed = False
        self._status_buf = b""
        self._status: dict[str, dict] = {}      # the holder's records, by their key
        self.worker_pid: int | None = None
        self._pidfd: int | None = None
        self.credentials: Credentials | None = None
        self.layers: tuple[str, ...] = ()
        self.skipped: tuple[tuple[str, str], ...] = ()
        pipes = {name: os.pipe() for name in ("req", "resp", "stdout", "stderr", "status")}
        for name in ("req", "resp"):
            _widen(pipes[name][1])
        self._shared = _shared_region()
        theirs = {"fd_in": pipes["req"][0], "fd_out": pipes["resp"][1], "stdout": pipes["stdout"][1],
                  "stderr": pipes["stderr"][1], "fd_status": pipes["status"][1], "fd_shared": os.dup(self._shared)}
        self._req_w, self._resp_r = pipes["req"][1], pipes["resp"][0]
        self._out_r, self._err_r, self._status_r = pipes["stdout"][0], pipes["stderr"][0], pipes["status"][0]
        config = {
            "fd_in": theirs["fd_in"],
            "fd_out": theirs["fd_out"],
            "fd_status": theirs["fd_status"],
            "fd_shared": theirs["fd_shared"],
            "modules": self.modules,
            "scratch": self.scratch,
            "student_roots": sorted({os.path.dirname(p) for p in self.modules.values()}),
            "sandbox": {"namespaces": isolation.namespaces, "landlock": isolation.landlock,
                        "seccomp": isolation.seccomp, "uid": isolation.uid},
            "limits": {
                "address_space": limits.address_space,
                "cpu_seconds": max(1, len(self.modules) * (int(limits.timeout) + 1)),
                "file_size": limits.file_size,
                "open_files": limits.open_files,
                "core": 0,
            },
        }
        self.proc = None
        try:
            if zygote is not None:
                self.pid = zygote.spawn(config, theirs)
            else:
                self.proc = subprocess.Popen(
                    [python or sys.executable, "-I", "-B", "-u", "-m", "grader.isolation.worker", json.dumps(config)],
                    stdin=subprocess.DEVNULL, stdout=theirs["stdout"], stderr=theirs["stderr"],
                    pass_fds=(theirs["fd_in"], theirs["fd_out"], theirs["fd_status"], theirs["fd_shared"]),
                    start_new_session=True,
                    cwd=self.scratch, env=worker_env(self.scratch), close_fds=True)
                self.pid = self.proc.pid
        except BaseException:
            for fd in list(theirs.values()) + [self._req_w, self._resp_r, self._out_r, self._err_r,
                                               self._status_r, self._shared]:
                _close(fd)
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        for fd in theirs.values():
            _close(fd)
        os.set_blocking(self._req_w, False)
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._resp_r, selectors.EVENT_READ, "resp")
        self._sel.register(self._out_r, selectors.EVENT_READ, "stdout")
        self._sel.register(self._err_r, selectors.EVENT_READ, "stderr")
        self._writing = False

    # -- context management -------------------------------------------------

    def __enter__(self) -> "WorkerSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- event loop ------------------------------------------------------------

    def _end(self, kind: str, detail: str) -> None:
        if self.termination is None:
            self.termination = Termination(kind, detail)
        self._kill()

    def _kill(self) -> None:
        """End the worker: SIGKILL through its pidfd (never a recycled pid), and SIGTERM to its holder.

        The holder (trusted, it runs no student code) answers SIGTERM by
        killing the worker, then every process the worker left behind (it is
        their subreaper), then reports and exits; so this works even where no
        pidfd could be had. With namespaces, the worker is pid 1 of its pid
        namespace and its death ends all it started anyway. `close` kills the
        holder's group as a last resort.
        """
        if self._pidfd is not None:
            try:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGTERM)
        except OSError:
            pass

    def _kill_group(self) -> None:
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _next_frame(self) -> tuple[dict, bytes] | None:
        """Pump I/O until a response frame arrives; None once the session has ended."""
        while self.termination is None:
            try:
                frame = self._reader.next_frame()
            except protocol.ProtocolError as exc:
                self._end("protocol", str(exc))
                return None
            if frame is not None:
                return frame
            self._pump_once()
        return None

    def _pump_once(self) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            self._end("timeout", f"the time limit of {self.limits.timeout:g} s was reached")
            return
        if self._pending and not self._writing:
            self._sel.register(self._req_w, selectors.EVENT_WRITE, "req")
            self._writing = True
        events = self._sel.select(timeout=min(remaining, 0.5))
        for key, _ in events:
            tag = key.data
            if tag == "req":
                try:
                    self._pending = protocol.write_some(self._req_w, self._pending)
                except BlockingIOError:
                    pass
                except BrokenPipeError:
                    self._pending = []
                if not self._pending:
                    self._sel.unregister(self._req_w)
                    self._writing = False
                continue
            fd = key.fileobj
            if tag == "resp":
                try:
                    got = self._reader.read_from(fd)
                except OSError:
                    got = 0
                if not got:
                    self._sel.unregister(fd)
                    self._end("died", self._death_detail())
                    return
                continue
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self._sel.unregister(fd)
                continue
            buf = self._bufs[tag]
            room = self.limits.output_kept - len(buf.kept)
            if room > 0:
                buf.kept += chunk[:room]
            buf.total += len(chunk)
            if self._bufs["stdout"].total + self._bufs["stderr"].total > self.limits.output_kill:
                self._end("output", f"it printed more than {self.limits.output_kill >> 20} MiB")
                return

    def _death_detail(self) -> str:
        """How the worker ended, as its holder reported it on the status pipe (waits up to 1 s)."""
        record = self._holder_record(("code", "signal"), 1.0)
        if record is None:
            return "the worker closed its channel"
        if "signal" in record:
            try:
                name = signal.Signals(record["signal"]).name
            except (ValueError, TypeError):
                name = f"signal {record['signal']}"
            if record["signal"] in (signal.SIGXCPU, signal.SIGKILL):
                return f"the worker was stopped by {name} (CPU time limit)"
            return f"the worker was killed by {name}"
        return f"the worker process exited with code {record.get('code')}"

    def _holder_record(self, keys: tuple[str, ...], wait: float) -> dict | None:
        """The holder's status record with one of `keys` (one JSON object per line), waiting up to `wait` s.

        The holder is trusted code, but the records are still parsed
        defensively: only small integer fields are kept.
        """
        import select

        deadline = time.monotonic() + wait
        while True:
            for key in keys:
                if key in self._status:
                    return self._status[key]
            remaining = deadline - time.monotonic()
            if remaining <= 0 or len(self._status_buf) > 4096:
                return None
            ready, _, _ = select.select([self._status_r], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self._status_r, 512)
            if not chunk:
                return None
            self._status_buf += chunk
            *lines, self._status_buf = self._status_buf.split(b"\n")
            for line in lines:
                try:
                    record = json.loads(line.decode())
                except (ValueError, UnicodeDecodeError):
                    continue
                if isinstance(record, dict) and len(record) == 1:
                    (key, value), = record.items()
                    if key in ("worker", "code", "signal") and type(value) is int:
                        self._status.setdefault(key, record)

    def _watch_worker(self) -> None:
        """Find the worker (the holder's child), hold a pidfd on it, and read its credentials from /proc."""
        record = self._holder_record(("worker",), 1.0)
        if record is None:
            return
        pid = record["worker"]
        if credentials.parent_of(pid) != self.pid:
            return
        self.worker_pid = pid
        if hasattr(os, "pidfd_open"):
            try:
                self._pidfd = os.pidfd_open(pid)
            except OSError:
                self._pidfd = None
        self.credentials = credentials.read(pid)

    # -- public API ------------------------------------------------------------

    def start(self) -> LoadReport:
        """Wait for the worker's hello: the layers it applied (`started` False if it never said hello)."""
        frame = self._next_frame()
        if frame is None or not frame[0].get("hello"):
            # Nothing of the student's has run yet: the worker itself could not start.
            self._kill()
            return LoadReport(False, None, (), self.termination, started=False)
        raw = frame[0].get("layers")
        layers = tuple(x[:40] for x in raw[:16] if isinstance(x, str)) if isinstance(raw, list) else ()
        raw_skipped = frame[0].get("skipped")
        skipped = tuple((k[:40], v[:300]) for k, v in list(raw_skipped.items())[:16] if isinstance(v, str)) \
            if isinstance(raw_skipped, dict) else ()
        self._watch_worker()
        if self.credentials is not None:
            layers, refuted = self.credentials.confirm(layers)
            skipped += refuted
        self.layers, self.skipped = layers, skipped
        return LoadReport(False, None, layers, skipped=skipped, credentials=self.credentials)

    def load(self, name: str) -> LoadReport:
        """Import one of the student's modules in the worker."""
        if self.termination is None:
            self._pending += protocol.frame_buffers({"op": "load", "module": name})
        frame = self._next_frame()
        if frame is None:
            return LoadReport(False, None, self.layers, self.termination, skipped=self.skipped,
                              credentials=self.credentials)
        header = frame[0]
        attempts = attempts_from(header.get("attempts"))
        if header.get("loaded") is True:
            return LoadReport(True, None, self.layers, skipped=self.skipped, attempts=attempts,
                              credentials=self.credentials)
        return LoadReport(False, error_from_record(header.get("error"), self.locate), self.layers, skipped=self.skipped,
                          attempts=attempts, credentials=self.credentials)

    def handshake(self) -> LoadReport:
        """start() and load() of the only module (for a one-module session)."""
        hello = self.start()
        if not hello.started:
            return hello
        return self.load(self._default)

    def restart_clock(self, seconds: float | None = None) -> None:
        """Give the next exercise its own wall-clock limit."""
        self.deadline = time.monotonic() + (self.limits.timeout if seconds is None else seconds)

    def output_mark(self) -> int:
        """The length of the stdout text kept so far (`captured().stdout[mark:]` is what came after)."""
        return len(self.captured().stdout)

    def run(self, steps: tuple[Step, ...], inputs: Mapping[str, object], module: str | None = None, *,
            shared: bool = False) -> TrialRun:
        """Run one trial against a loaded module; always returns one Outcome per step.

        shared: the input arrays are placed in the region shared with the
        worker, so the student's code works on that memory, and the parent
        reads it back after the trial (`TrialRun.inputs_after`): evidence of
        what the calls did to their inputs that does not depend on anything
        the worker says.
        """
        started = time.monotonic()
        outcomes: list[Outcome] = []
        placed: dict[str, tuple[int, int]] = {}
        sent = self.termination is None
        if sent:
            os.pwrite(self._shared, (-1).to_bytes(8, "little", signed=True), PROGRESS_AT)
            payload = protocol.PayloadBuilder(copy=False)
            header = {"op": "trial", "module": module or self._default,
                      "inputs": encode_inputs(inputs, payload, self._placer(placed) if shared else None),
                      "steps": [s.to_json() for s in steps]}
            self._pending += protocol.frame_buffers(header, payload)
        frame = self._next_frame() if self.termination is None else None
        if frame is not None:
            header, body = frame
            results = header.get("results")
            if not isinstance(results, list) or len(results) != len(steps) or header.get("done") is not True:
                self._end("protocol", "the worker's answer does not match the request")
            else:
                for item in results:
                    if not isinstance(item, dict):
                        self._end("protocol", "the worker sent a malformed result")
                        outcomes = []
                        break
                    attempts = attempts_from(item.get("attempts"))
                    if item.get("ok") is True:
                        try:
                            value = from_tree(protocol.decode_tree(item.get("value"), body))
                        except protocol.ProtocolError as exc:
                            self._end("protocol", str(exc))
                            outcomes = []
                            break
                        outcomes.append(Outcome(value=value, attempts=attempts, float32=item.get("f32") is True))
                    else:
                        outcomes.append(Outcome(error=error_from_record(item.get("error"), self.locate),
                                                attempts=attempts, float32=item.get("f32") is True))
        running = None
        if sent and frame is None and self.termination is not None and self.termination.kind == "timeout" \
                and not outcomes:
            at = int.from_bytes(os.pread(self._shared, 8, PROGRESS_AT), "little", signed=True)
            running = at if 0 <= at < len(steps) else None
        if len(outcomes) < len(steps):
            kind = "timeout" if self.termination and self.termination.kind == "timeout" else "died"
            detail = self.termination.detail if self.termination else "the worker stopped"
            outcomes += [Outcome(error=StepError(kind, "", detail))] * (len(steps) - len(outcomes))
        after = {name: os.pread(self._shared, length, off) for name, (off, length) in placed.items()} \
            if shared else None
        return TrialRun(tuple(outcomes), self.termination, time.monotonic() - started, after, running)

    def _placer(self, placed: dict[str, tuple[int, int]]):
        """A function that writes an input's bytes into the shared region and returns their offset."""
        end = [0]

        def place(name: str, data: memoryview) -> int:
            off = end[0]
            if off + len(data) > PROGRESS_AT:
                raise ValueError(f"the inputs of a shared trial exceed {SHARED_BYTES >> 20} MiB")
            os.pwrite(self._shared, data, off)
            placed[name] = (off, len(data))
            end[0] = (off + len(data) + 63) // 64 * 64
            return off
        return place

    def captured(self) -> Captured:
        """What the student's code printed (kept part, control characters made visible) and the total."""
        out, err = self._bufs["stdout"], self._bufs["stderr"]
        return Captured(visible(out.kept.decode("utf-8", "replace")), visible(err.kept.decode("utf-8", "replace")),
                        out.total + err.total)

    def close(self) -> Captured:
        """Kill the worker's process group, reap it, and remove its scratch folder."""
        if not self._closed:
            self._closed = True
            self._kill()
            # Let the holder end what the worker left behind and report, then end the group.
            self._holder_record(("code", "signal"), 2.0)
            self._kill_group()
            if self.proc is not None:
                try:
                    self.proc.wait(timeout=5.0)
                except subprocess.TimeoutExpired:
                    pass
            # drain what is left in the output pipes (the process is dead: EOF comes quickly)
            for name, fd in (("stdout", self._out_r), ("stderr", self._err_r)):
                buf = self._bufs[name]
                try:
                    os.set_blocking(fd, False)
                    while buf.total <= self.limits.output_kill:
                        chunk = os.read(fd, 1 << 16)
                        if not chunk:
                            break
                        room = self.limits.output_kept - len(buf.kept)
                        if room > 0:
                            buf.kept += chunk[:room]
                        buf.total += len(chunk)
                except OSError:
                    pass
            for fd in (self._req_w, self._resp_r, self._out_r, self._err_r, self._status_r, self._pidfd,
                       self._shared):
                if fd is not None:
                    _close(fd)
            self._sel.close()
            shutil.rmtree(self.scratch, ignore_errors=True)
        return self.captured()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start_time
