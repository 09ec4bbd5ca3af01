"""Questions about running untrusted code in the worker (grader.isolation.session, grader.isolation.worker)."""

from __future__ import annotations

import os
import time
from textwrap import dedent

import numpy as np
import pytest

from grader.isolation.script import In, call, func, new
from grader.isolation.session import Limits, WorkerSession


def session_for(tmp_path, source: str, name: str = "mod", **limits) -> WorkerSession:
    path = tmp_path / f"{name}.py"
    path.write_text(dedent(source))
    return WorkerSession(str(path), name, limits=Limits(**limits))


def run_one(tmp_path, source, steps, inputs=None, **limits):
    with session_for(tmp_path, source, **limits) as s:
        load = s.handshake()
        assert load.loaded, load
        run = s.run(tuple(steps), inputs or {})
        return run, s


def test_does_a_plain_call_return_the_array_it_computed(tmp_path):
    run, _ = run_one(tmp_path, """
        import numpy as np
        def double(x):
            return 2 * x
    """, [func("y", "double", In("x"))], {"x": np.arange(3.0)})
    assert run.termination is None
    assert np.array_equal(run.outcomes[0].value.array, [0.0, 2.0, 4.0])


def test_does_the_worker_report_its_isolation_layers_before_student_code(tmp_path):
    with session_for(tmp_path, "x = 1\n") as s:
        load = s.handshake()
    assert load.loaded and "process" in load.layers and "rlimit" in load.layers


def test_is_a_sleep_stopped_by_the_wall_clock_deadline(tmp_path):
    started = time.monotonic()
    run, s = run_one(tmp_path, """
        import time
        def f():
            time.sleep(60)
    """, [func("y", "f")], timeout=1.5)
    assert run.termination.kind == "timeout" and run.outcomes[0].error.kind == "timeout"
    assert time.monotonic() - started < 5


def test_is_an_infinite_loop_stopped(tmp_path):
    run, _ = run_one(tmp_path, """
        def f():
            while True:
                pass
    """, [func("y", "f")], timeout=1.5)
    assert run.termination.kind in ("timeout", "died")
    assert run.outcomes[0].error.kind in ("timeout", "died")


def test_does_os_exit_end_the_session_as_died_without_a_verdict(tmp_path):
    run, _ = run_one(tmp_path, """
        import os
        def f():
            os._exit(0)
    """, [func("y", "f"), func("z", "f")])
    assert run.termination.kind == "died" and "exited with code 0" in run.termination.detail
    assert [o.error.kind for o in run.outcomes] == ["died", "died"]


@pytest.mark.parametrize("body, kind", [
    ("import sys; sys.exit(0)", "exit"),
    ("raise KeyboardInterrupt", "interrupt"),
    ("raise NotImplementedError('f')", "not_implemented"),
    ("import numpy as np; return np.ones((200000, 200000))", "memory"),
    ("return f()", "recursion"),
    ("return 1 / 0", "crashed"),
])
def test_is_each_exception_classified_and_the_worker_kept_alive(tmp_path, body, kind):
    run, _ = run_one(tmp_path, f"""
        def f():
            {body}
        def ok():
            return 1.0
    """, [func("y", "f"), func("z", "ok")])
    assert run.outcomes[0].error.kind == kind
    assert run.outcomes[1].ok and run.termination is None


def test_does_a_crash_show_the_students_own_frames_only(tmp_path):
    run, _ = run_one(tmp_path, """
        import numpy as np
        def helper(a):
            return a @ np.ones((5, 5))
        def f(x):
            return helper(x)
    """, [func("y", "f", In("x"))], {"x": np.ones((3, 3))})
    err = run.outcomes[0].error
    assert err.kind == "crashed" and err.exc_type == "ValueError"
    assert [fr.func for fr in err.frames] == ["f", "helper"]
    assert all(fr.file == "mod.py" for fr in err.frames)
    assert "grader" not in " ".join(fr.file for fr in err.frames)


def test_is_a_missing_name_reported_with_a_suggestion(tmp_path):
    run, _ = run_one(tmp_path, """
        class linear:
            pass
    """, [new("h", "Linear"), call("y", "h", "forward", In("x"))], {"x": np.ones(2)})
    assert run.outcomes[0].error.kind == "missing" and "linear" in run.outcomes[0].error.message
    assert run.outcomes[1].error.kind == "skipped"


def test_is_an_import_time_syntax_error_reported_with_its_line(tmp_path):
    with session_for(tmp_path, "def f(:\n    pass\n") as s:
        load = s.handshake()
    assert not load.loaded and load.error.exc_type == "SyntaxError" and load.error.frames[0].line == 1


def test_is_sys_exit_at_import_time_a_load_error_not_a_crash_of_the_grader(tmp_path):
    with session_for(tmp_path, "import sys\nsys.exit(3)\n") as s:
        load = s.handshake()
    assert not load.loaded and load.error.kind == "exit"


def test_is_a_print_flood_capped_and_stopped(tmp_path):
    run, s = run_one(tmp_path, """
        def f():
            while True:
                print("x" * 10000)
    """, [func("y", "f")], output_kill=1 << 20, timeout=20)
    assert run.termination.kind == "output"
    captured = s.captured()
    assert len(captured.stdout) <= Limits().output_kept and captured.total_bytes > 1 << 20


def test_does_printed_output_never_reach_the_parents_stdout(tmp_path, capfd):
    run, s = run_one(tmp_path, """
        def f():
            print('{"score": 100}')
            return 1.0
    """, [func("y", "f")])
    out, _ = capfd.readouterr()
    assert '"score"' not in out and '"score": 100' in s.captured().stdout


def test_does_a_forged_frame_on_the_response_channel_end_the_session(tmp_path):
    run, _ = run_one(tmp_path, """
        import json, os, sys
        def f():
            fd = json.loads(sys.argv[1])["fd_out"]
            os.write(fd, b"BPG1" + (10).to_bytes(4, "big") + (0).to_bytes(8, "big") + b"not json!!")
            return 1.0
    """, [func("y", "f")])
    assert run.termination is not None and run.termination.kind == "protocol"


def test_is_a_hostile_return_value_read_as_data_only(tmp_path):
    run, _ = run_one(tmp_path, """
        import numpy as np
        class Evil(np.ndarray):
            def __eq__(self, other):
                return True
        class Reducer:
            def __reduce__(self):
                import os
                os.system("touch /tmp/pwned-by-grader-test")
                return (str, ("x",))
        def sub():
            return np.zeros((2, 2)).view(Evil)
        def red():
            return Reducer()
    """, [func("a", "sub"), func("b", "red")])
    assert run.outcomes[0].value.kind == "subclass" and run.outcomes[0].value.type_name == "Evil"
    assert run.outcomes[1].value.kind == "other"
    assert not os.path.exists("/tmp/pwned-by-grader-test")


def test_does_close_leave_no_process_of_the_worker_running(tmp_path):
    with session_for(tmp_path, """
        import os, time
        def f():
            if os.fork() == 0:
                time.sleep(60)
            return 1.0
    """) as s:
        s.handshake()
        s.run((func("y", "f"),), {})
        pgid = s.pid
    time.sleep(0.2)
    assert live_processes_in_group(pgid) == []


def live_processes_in_group(pgid: int) -> list[int]:
    """Pids in process group `pgid` that are not zombies (dead, awaiting reaping)."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            alive.append(int(entry))
    return alive


def test_is_the_student_cwd_a_scratch_folder_that_is_removed(tmp_path):
    with session_for(tmp_path, """
        import os
        def f():
            open("note.txt", "w").write("hi")
            return os.getcwd()
    """) as s:
        s.handshake()
        s.run((func("y", "f"),), {})
        scratch = s.scratch
        assert os.path.isfile(os.path.join(scratch, "note.txt"))
    assert not os.path.exists(scratch)


def test_is_a_worker_that_cannot_start_reported_as_not_started(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text("x = 1\n")
    # A stand-in interpreter that fails the way a missing installation does.
    fake = tmp_path / "fakepython"
    fake.write_text("#!/bin/sh\necho 'No module named grader' >&2\nexit 1\n")
    fake.chmod(0o755)
    with WorkerSession(str(path), "mod", python=str(fake)) as s:
        load = s.handshake()
    assert not load.started and not load.loaded
    assert "No module named grader" in s.captured().stderr


def test_does_the_worker_report_float32_kept_in_an_objects_state_or_a_held_cache(tmp_path):
    """Precision read from the computation: float32 work the returned float64 values no longer show."""
    from grader.isolation.script import Held, pick

    source = dedent("""
        import numpy as np
        class Keeps32:
            def forward(self, x):
                self.a = x.astype(np.float32)
                return x * 2.0
        class Plain:
            def forward(self, x):
                self.a = x.copy()
                return x * 2.0
        def pair_forward(x):
            return x * 2.0, x.astype(np.float32)
        def pair_backward(d, cache):
            return d * cache
    """)
    x = {"x": np.arange(3.0)}
    plain = run_one(tmp_path, source, (new("o", "Plain"), call("y", "o", "forward", In("x"))), x)[0].outcomes
    kept = run_one(tmp_path, source, (new("o", "Keeps32"), call("y", "o", "forward", In("x"))), x)[0].outcomes
    held = run_one(tmp_path, source, (func("f", "pair_forward", In("x"), hold=(0, 1)), pick("y", "f", 0),
                                      func("g", "pair_backward", In("x"), Held("f", 1))), x)[0].outcomes
    assert [o.float32 for o in plain] == [False, False]
    assert [o.float32 for o in kept] == [False, True]
    assert [o.float32 for o in held] == [True, True, True]
    assert held[1].value.array.dtype == np.float64 and held[2].value.array.dtype == np.float64
