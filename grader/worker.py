"""The untrusted worker: imports one submission file and runs scripts on it.

Started by `grader.session` as `python -I -B -u -m grader.worker CONFIG_JSON`.
The bootstrap, before any student code runs:
  1. applies resource limits (address space, CPU time, file size, no core files);
  2. imports numpy, so the student's module cannot shadow it;
  3. reports the layers it applied on the response channel ("hello").
Only then does it import the submission and serve requests, one response
frame per step. Every result travels as a value tree (`grader.protocol`):
no pickling, and no verdict is formed here. Anything this process says is
treated by the parent as untrusted data.

Requests and responses use two dedicated pipe file descriptors; the student's
stdin is /dev/null and stdout/stderr are captured, capped, by the parent.
"""

from __future__ import annotations

import json
import os
import sys
import traceback

#: Longest exception message kept, in characters.
MAX_MESSAGE = 2000
#: Most traceback frames kept.
MAX_FRAMES = 12


def _apply_limits(limits: dict) -> list[str]:
    """Apply POSIX rlimits; return the names of the layers that took effect."""
    layers = ["process"]
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
        from grader import protocol

        self._protocol = protocol
        self._fd_in = fd_in
        self._fd_out = fd_out
        self._reader = protocol.FrameReader(max_payload=1 << 31)

    def send(self, header: dict, payload: bytes = b"") -> None:
        data = memoryview(self._protocol.pack_frame(header, payload))
        while data:
            n = os.write(self._fd_out, data)
            data = data[n:]

    def recv(self):
        while True:
            frame = self._reader.next_frame()
            if frame is not None:
                return frame
            chunk = os.read(self._fd_in, 1 << 20)
            if not chunk:
                return None
            self._reader.feed(chunk)


def _student_frames(tb, roots: tuple[str, ...]) -> list[dict]:
    """Frames of the traceback that lie in the submission's own files."""
    frames = []
    for fs in traceback.extract_tb(tb):
        path = os.path.realpath(fs.filename) if fs.filename and not fs.filename.startswith("<") else ""
        if path and any(path == r or path.startswith(r + os.sep) for r in roots):
            frames.append({"file": os.path.basename(path), "line": int(fs.lineno or 0),
                           "func": str(fs.name)[:200], "code": (fs.line or "")[:300]})
    return frames[-MAX_FRAMES:]


def _safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:  # a hostile __str__
        text = "<the exception's message could not be read>"
    return text[:MAX_MESSAGE]


def describe_exception(exc: BaseException, roots: tuple[str, ...]) -> dict:
    """Turn an exception from student code into a plain error record."""
    from grader.script import StepFailure

    if isinstance(exc, StepFailure):
        return {"kind": exc.kind, "exc": "", "msg": exc.message[:MAX_MESSAGE], "frames": []}
    if isinstance(exc, NotImplementedError):
        kind = "not_implemented"
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


def _run_trial(channel: Channel, module, header: dict, payload: bytes, roots: tuple[str, ...]) -> None:
    import numpy as np

    from grader import protocol
    from grader.script import Executor, decode_inputs, step_from_json

    inputs = decode_inputs(header["inputs"], payload)
    ex = Executor(module, inputs)
    for index, node in enumerate(header["steps"]):
        step = step_from_json(node)
        try:
            with np.errstate(all="ignore"):
                result = ex.run(step)
            out = protocol.PayloadBuilder()
            try:
                tree = protocol.encode_value(result, out)
            except BaseException:  # noqa: BLE001 - hostile objects
                out = protocol.PayloadBuilder()
                tree = {"t": "other", "type": "an object that could not be read"}
            channel.send({"step": index, "ok": True, "value": tree}, out.bytes())
        except BaseException as exc:  # noqa: BLE001 - the student's code may raise anything
            record = describe_exception(exc, roots)
            ex.mark_failed(step, f"{step.describe()} failed")
            channel.send({"step": index, "ok": False, "error": record})
    channel.send({"done": True})


def main(argv: list[str] | None = None) -> int:
    config = json.loads((argv if argv is not None else sys.argv[1:])[0])
    layers = _apply_limits(config.get("limits", {}))
    import numpy  # noqa: F401 - imported before student code, on purpose

    channel = Channel(config["fd_in"], config["fd_out"])
    path = os.path.realpath(config["module_path"])
    roots = tuple(os.path.realpath(r) for r in config.get("student_roots", [os.path.dirname(path)]))
    channel.send({"hello": True, "layers": layers, "python": sys.version.split()[0],
                  "numpy": numpy.__version__})
    sys.path.insert(0, os.path.dirname(path))
    module, error = _load(path, config["module_name"], roots)
    channel.send({"loaded": error is None, "error": error})
    if module is None:
        return 0
    while True:
        frame = channel.recv()
        if frame is None:
            return 0
        header, payload = frame
        if header.get("op") == "trial":
            _run_trial(channel, module, header, payload, roots)
        elif header.get("op") == "bye":
            return 0


if __name__ == "__main__":
    os._exit(main())
