"""The untrusted worker: imports one student's files and runs scripts on them.

Started by `grader.isolation.session` (through the fork server `grader.isolation.zygote`, or as
`python -I -B -u -m grader.isolation.worker CONFIG_JSON`). The bootstrap, before any
student code runs:
  1. imports numpy and every grader module it needs, so nothing of ours has
     to be read from disk later and the student's module cannot shadow them;
  2. enters new namespaces, forks, and leaves the parent behind as the
     holder (it reports the worker's pid and how the worker ended);
  3. applies resource limits, drops every capability and, as root, the uid;
     then sets the parent-death signal;
  4. applies Landlock and seccomp (`grader.isolation.sandbox`);
  5. reports the layers it applied, and why others were skipped ("hello").
Only then does it import the submission's modules (copies in its scratch
folder; one worker serves one student) when asked, and serve requests, one
response frame per trial. Every result travels as a value
tree (`grader.isolation.protocol`): no pickling, and no verdict is formed here.

The trust rule: from the moment the student's first module is imported,
everything in this process may have been rewritten by the student,
this module and every other grader module included. So this process only
computes; it never judges. The parent treats all it says as untrusted data:
results are decoded strictly and validated, inputs are the parent's own
copies, evidence about what happened in here (were the inputs modified?)
is read by the parent from memory it shares with this process, and the
layers claimed in the hello are checked against /proc by the parent
(`grader.isolation.credentials`).

An audit hook records attempts at operations the sandbox blocks (running a
program, opening a socket, signalling another process), so the report can
say "forbidden" even when the code ignored the failure. It is only a
messenger: the student's code can remove it, and it is not a layer.

Requests and responses use two dedicated pipe file descriptors; the student's
stdin is /dev/null and stdout/stderr are captured, capped, by the parent.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

import errno as _errno

#: errno values the sandbox answers with: the operation was blocked.
_FORBIDDEN_ERRNOS = {_errno.EPERM, _errno.EACCES, _errno.ENETUNREACH, _errno.EROFS}

#: Audit events that mean "tried something the grader blocks".
_BLOCKED_EVENTS = {
    "os.system": "ran a shell command (os.system)",
    "subprocess.Popen": "started a program (subprocess)",
    "os.exec": "replaced the process with a program (os.exec*)",
    "os.posix_spawn": "started a program (os.posix_spawn)",
    "os.spawn": "started a program (os.spawn*)",
    "os.fork": "forked a child process",
    "os.forkpty": "forked a child process",
    "socket.connect": "opened a network connection",
    "socket.getaddrinfo": "looked up a network address",
    "socket.sendto": "sent a network packet",
    "socket.bind": "listened on a network port",
    "os.kill": "sent a signal to another process",
    "os.killpg": "sent a signal to a process group",
    "ctypes.dlopen": "loaded a C library with ctypes",
}
_ATTEMPTS: list[str] = []

#: Longest exception message kept, in characters.
MAX_MESSAGE = 2000
#: Most traceback frames kept.
MAX_FRAMES = 12


def _apply_limits(limits: dict) -> list[str]:
    """Apply POSIX rlimits; return ["rlimit"] if any took effect."""
    layers: list[str] = []
    try:
        import resource
    except ImportError:  # not POSIX
        return layers
    applied = []
    table = {
        "address_space": getattr(resource, "RLIMIT_AS", None),
        "cpu_seconds": getattr(resource, "RLIMIT_CPU", None),
        "file_size": getattr(resource, "RLIMIT_FSIZE", None),
        "open_files": getattr(resource, "RLIMIT_NOFILE", None),
        "core": getattr(resource, "RLIMIT_CORE", None),
        "processes": getattr(resource, "RLIMIT_NPROC", None),
    }
    for key, value in limits.items():
        res = table.get(key)
        if res is None or value is None:
            continue
        soft = hard = int(value)
        if key == "cpu_seconds":
            hard = soft + 1
        try:
            cur_soft, cur_hard = resource.getrlimit(res)
            if cur_hard != resource.RLIM_INFINITY:
                hard = min(hard, cur_hard)
                soft = min(soft, hard)
            resource.setrlimit(res, (soft, hard))
            applied.append(key)
        except (ValueError, OSError):
            pass
    if applied:
        layers.append("rlimit")
    return layers


class Channel:
    """Blocking frame I/O on the two protocol pipes."""

    def __init__(self, fd_in: int, fd_out: int):
        from grader.isolation import protocol

        self._protocol = protocol
        self._fd_in = fd_in
        self._fd_out = fd_out
        self._reader = protocol.FrameReader(max_payload=1 << 31)

    def send(self, header: dict, payload=b"") -> None:
        """Write one frame (payload: bytes or a PayloadBuilder, whose parts are written without joining)."""
        buffers = self._protocol.frame_buffers(header, payload)
        while buffers:
            buffers = self._protocol.write_some(self._fd_out, buffers)

    def recv(self):
        while True:
            frame = self._reader.next_frame()
            if frame is not None:
                return frame
            if not self._reader.read_from(self._fd_in):
                return None


def _student_frames(tb, roots: tuple[str, ...]) -> list[dict]:
    """Frames of the traceback that lie in the submission's own files."""
    import linecache

    frames = []
    # lookup_lines=False: read source lines only for the student's own files (never the grader's).
    for fs in traceback.StackSummary.extract(traceback.walk_tb(tb), lookup_lines=False):
        path = os.path.realpath(fs.filename) if fs.filename and not fs.filename.startswith("<") else ""
        if path and any(path == r or path.startswith(r + os.sep) for r in roots):
            code = linecache.getline(fs.filename, fs.lineno or 0).strip()
            frames.append({"file": os.path.basename(path), "line": int(fs.lineno or 0),
                           "func": str(fs.name)[:200], "code": code[:300]})
    return frames[-MAX_FRAMES:]


def _safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:  # a hostile __str__
        text = "<the exception's message could not be read>"
    return text[:MAX_MESSAGE]


def describe_exception(exc: BaseException, roots: tuple[str, ...]) -> dict:
    """Turn an exception from student code into a plain error record."""
    from grader.isolation.script import StepFailure

    if isinstance(exc, StepFailure):
        return {"kind": exc.kind, "exc": "", "msg": exc.message[:MAX_MESSAGE], "frames": []}
    if isinstance(exc, NotImplementedError):
        kind = "not_implemented"
    elif isinstance(exc, OSError) and exc.errno in _FORBIDDEN_ERRNOS:
        kind = "forbidden"
    elif isinstance(exc, MemoryError):
        kind = "memory"
    elif isinstance(exc, RecursionError):
        kind = "recursion"
    elif isinstance(exc, SystemExit):
        kind = "exit"
    elif isinstance(exc, KeyboardInterrupt):
        kind = "interrupt"
    else:
        kind = "crashed"
    record = {"kind": kind, "exc": type(exc).__name__[:200], "msg": _safe_str(exc),
              "frames": _student_frames(exc.__traceback__, roots)}
    if isinstance(exc, SyntaxError):
        record["frames"] = [{"file": os.path.basename(exc.filename or "?"), "line": int(exc.lineno or 0),
                             "func": "", "code": (exc.text or "").rstrip()[:300]}]
        record["msg"] = str(exc.msg)[:MAX_MESSAGE]
    return record


def _audit(allowed_roots: tuple[str, ...]):
    """An audit hook noting blocked operations and opens outside the allowed folders."""
    def hook(event, args):
        what = _BLOCKED_EVENTS.get(event)
        if what is None and event == "open" and args and isinstance(args[0], str):
            path = os.path.abspath(args[0])
            if not any(path == r or path.startswith(r + os.sep) for r in allowed_roots):
                mode = args[1] if len(args) > 1 and isinstance(args[1], str) else "r"
                what = f"opened {args[0][:200]} ({'write' if any(c in mode for c in 'wax+') else 'read'})"
        if what is not None and len(_ATTEMPTS) < 20 and what not in _ATTEMPTS:
            _ATTEMPTS.append(what)
    return hook


def _take_attempts() -> list[str]:
    taken = list(_ATTEMPTS)
    _ATTEMPTS.clear()
    return taken


def _load(path: str, name: str, roots: tuple[str, ...]):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None, {"kind": "crashed", "exc": "ImportError", "msg": "the file cannot be imported", "frames": []}
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - anything the student raises
        return None, describe_exception(exc, roots)
    return module, None


def _run_trial(channel: Channel, module, header: dict, payload: bytes, roots: tuple[str, ...], shared=None) -> None:
    """Run a trial's steps and send their results in one frame (the parent reads them in order).

    shared: the memory shared with the parent, where the inputs of a trial
    checked for mutation live (the parent reads them back itself).
    """
    import numpy as np

    from grader.isolation import protocol
    from grader.isolation.script import Executor, decode_inputs, step_from_json

    inputs = decode_inputs(header["inputs"], payload, shared)
    ex = Executor(module, inputs)
    out = protocol.PayloadBuilder()
    results = []
    saw32 = False
    for index, node in enumerate(header["steps"]):
        step = step_from_json(node)
        if shared is not None:
            # Progress, in the last 8 bytes of the shared region: the step about to run. After a timeout
            # the parent reads it to name the call that did not finish (a message only, never a verdict).
            shared[len(shared) - 8:] = index.to_bytes(8, "little", signed=True)
        try:
            with np.errstate(all="ignore"):
                result = ex.run(step)
            if not step.keep:
                result = None
            mark = out.mark()
            try:
                tree = protocol.encode_value(result, out)
            except BaseException:  # noqa: BLE001 - hostile objects
                out.rewind(mark)
                tree = {"t": "other", "type": "an object that could not be read"}
            saw32 = saw32 or _float32_in(result, ex)
            results.append({"ok": True, "value": tree, "attempts": _take_attempts(), "f32": saw32})
        except BaseException as exc:  # noqa: BLE001 - the student's code may raise anything
            record = describe_exception(exc, roots)
            ex.mark_failed(step, f"{step.describe()} failed")
            results.append({"ok": False, "error": record, "attempts": _take_attempts(), "f32": saw32})
    channel.send({"results": results, "done": True}, out)


def _float32_in(result, ex) -> bool:
    """Did the student's code work in float32 so far: in this result, an object's state or a kept cache?

    Looks one level into tuples, lists and dicts, and at the attributes of every object built (without
    running properties). The parent uses it only to widen its tolerance to float32's (never to decide a
    verdict), so a worker that lies about it gains a float32 tolerance and nothing else.
    """
    import numpy as np

    def has32(value, depth: int = 0) -> bool:
        if isinstance(value, (np.ndarray, np.generic)):
            return getattr(value, "dtype", None) == np.float32
        if depth < 2 and type(value) in (tuple, list):
            return any(has32(v, depth + 1) for v in list(value)[:64])
        if depth < 2 and type(value) is dict:
            return any(has32(v, depth + 1) for v in list(value.values())[:64])
        return False

    try:
        if has32(result):
            return True
        for handle in list(ex.handles.values())[:64]:
            if has32(handle):
                return True
            try:
                state = object.__getattribute__(handle, "__dict__")
            except BaseException:  # noqa: BLE001 - no instance dictionary (slots) or a hostile object
                continue
            if type(state) is dict and any(has32(v, 1) for v in list(state.values())[:64]):
                return True
    except BaseException:  # noqa: BLE001 - hostile objects: no claim
        return False
    return False


def _close_except(keep: set[int]) -> None:
    """Close every file descriptor above 2 that is not in `keep`."""
    try:
        fds = sorted(int(n) for n in os.listdir("/proc/self/fd"))
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _kill_orphans(seconds: float = 2.0) -> None:
    """Kill and reap every process the worker left behind (the holder is their subreaper).

    Without a pid namespace, a grandchild that called setsid() survives the
    worker; as the subreaper, the holder inherits it and ends it here. Loops
    until no child is left (a dying orphan may still fork once).
    """
    import signal as _signal
    import time as _time

    me = os.getpid()
    deadline = _time.monotonic() + seconds
    while _time.monotonic() < deadline:
        try:
            with open(f"/proc/{me}/task/{me}/children") as fh:
                pids = [int(p) for p in fh.read().split()]
        except (OSError, ValueError):
            pids = []
        for pid in pids:
            try:
                os.kill(pid, _signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            return
        _time.sleep(0.002)


def _hold(child: int, status_fd: int | None) -> None:
    """The holder: report the worker's pid, wait for it, report how it ended, end the same way.

    Trusted code: it never runs student code. With namespaces it is the
    process outside the new pid namespace, and it keeps the caller's
    credentials. The status pipe carries one JSON object per line:
    {"worker": pid} at once, then {"code": n} or {"signal": n}.
    """
    _close_except({status_fd} if status_fd is not None else set())

    def report(record: dict) -> None:
        if status_fd is not None:
            try:
                os.write(status_fd, json.dumps(record).encode() + b"\n")
            except OSError:
                pass

    import signal as _signal

    def end_worker(signum, frame):
        try:
            os.kill(child, _signal.SIGKILL)
        except OSError:
            pass

    # The parent ends a worker by asking its holder (SIGTERM): the holder then kills the worker and
    # whatever the worker left behind, reports, and exits.
    _signal.signal(_signal.SIGTERM, end_worker)
    report({"worker": child})
    _, status = os.waitpid(child, 0)
    _kill_orphans()
    if os.WIFSIGNALED(status):
        report({"signal": os.WTERMSIG(status)})
    else:
        report({"code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1})
    if os.WIFSIGNALED(status):
        _signal.signal(os.WTERMSIG(status), _signal.SIG_DFL)
        os.kill(os.getpid(), os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _bootstrap(config: dict) -> tuple[list[str], dict[str, str]]:
    """Apply the sandbox (grader.isolation.sandbox) before any student code; returns (layers, {layer: why skipped}).

    Order: numpy and the grader's own modules are imported first (while
    everything is readable); namespaces; as root, a private mount namespace
    exposing the interpreter to the worker's uid when a 0700 folder hides
    it; fork (the parent stays as the holder); rlimits; every capability
    and, as root, the uid dropped; the parent-death signal (after the last
    credential change, which would clear it); Landlock; seccomp.
    """
    import numpy  # noqa: F401 - imported before student code, on purpose

    from grader.isolation import protocol, sandbox, script  # noqa: F401 - everything we need later, loaded now

    layers, skipped = ["process"], {}
    wanted = config.get("sandbox", {})
    scratch = config["scratch"]
    read_only = sandbox.read_only_paths()
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    uid = wanted.get("uid") if root else None
    if wanted.get("namespaces"):
        try:
            sandbox.enter_namespaces()
            layers.append("namespaces")
        except OSError as exc:
            skipped["namespaces"] = str(exc.strerror or exc)
    if uid is not None:
        hidden = sandbox.hidden_folders(read_only + [scratch])
        if hidden:
            try:
                sandbox.private_mounts()
                sandbox.expose(read_only, [scratch])
            except OSError as exc:
                skipped["uid"] = (f"the interpreter lies under {hidden[0]}, which uid {uid} cannot enter, and it "
                                  f"could not be exposed in a mount namespace ({exc.strerror or exc})")
                uid = None
    elif root:
        skipped["uid"] = "no unprivileged uid was given"
    holder = os.getpid()
    status_fd = config.get("fd_status")
    sandbox.die_with_parent()          # the holder dies with whoever started it
    sandbox.become_subreaper()         # and inherits whatever the worker leaves behind
    child = os.fork()
    if child:
        _hold(child, status_fd)
    if status_fd is not None:
        os.close(status_fd)
    limits = dict(config.get("limits", {}))
    if uid is not None:
        limits["processes"] = 64        # counts only this worker's uid, so it is exact
    layers += _apply_limits(limits)
    try:
        sandbox.drop_privileges(uid)
        if uid is not None:
            layers.append("uid")
    except OSError as exc:
        if root:
            skipped["uid"] = str(exc.strerror or exc)
    sandbox.die_with_parent(holder)    # the worker dies with its holder: after the last credential change
    if wanted.get("landlock"):
        try:
            layers.append(sandbox.apply_landlock(read_only, [scratch]))
        except OSError as exc:
            skipped["landlock"] = str(exc.strerror or exc)
    if wanted.get("seccomp"):
        try:
            layers.append(sandbox.apply_seccomp())
        except OSError as exc:
            skipped["seccomp"] = str(exc.strerror or exc)
    return layers, skipped


def main(argv: list[str] | None = None) -> int:
    """Entry point when started as its own interpreter: the config is the first argument."""
    return serve(json.loads((argv if argv is not None else sys.argv[1:])[0]))


def serve(config: dict) -> int:
    """Bootstrap the sandbox, then load modules and run trials on request until the parent hangs up.

    config["modules"] maps module names to the staged files of one student's
    submission; each is imported when the parent asks ("load"), and trials
    name the module they run against.
    """
    layers, skipped = _bootstrap(config)
    import numpy

    channel = Channel(config["fd_in"], config["fd_out"])
    shared = None
    if config.get("fd_shared") is not None:
        import mmap

        shared = mmap.mmap(config["fd_shared"], 0)
        os.close(config["fd_shared"])
    modules_paths = {name: os.path.realpath(path) for name, path in config["modules"].items()}
    roots = tuple(os.path.realpath(r) for r in config["student_roots"])
    channel.send({"hello": True, "layers": layers, "skipped": skipped, "python": sys.version.split()[0],
                  "numpy": numpy.__version__})
    for root in roots:
        sys.path.insert(0, root)
    from grader.isolation import sandbox

    allowed = tuple(os.path.realpath(p) for p in sandbox.read_only_paths()) + (os.path.realpath(config["scratch"]),)
    sys.addaudithook(_audit(allowed))
    loaded: dict[str, object] = {}
    while True:
        frame = channel.recv()
        if frame is None:
            return 0
        header, payload = frame
        op = header.get("op")
        if op == "load":
            name = header.get("module")
            path = modules_paths.get(name)
            if path is None:
                channel.send({"loaded": False, "error": {"kind": "missing", "msg": f"no module {name}"}})
                continue
            module, error = _load(path, name, roots)
            if module is not None:
                loaded[name] = module
            channel.send({"loaded": error is None, "error": error, "attempts": _take_attempts()})
        elif op == "trial":
            module = loaded.get(header.get("module"))
            if module is None:
                channel.send({"done": True})
                continue
            _run_trial(channel, module, header, payload, roots, shared)
        elif op == "bye":
            return 0


if __name__ == "__main__":
    os._exit(main())
