"""Time `grade reference/` end to end, process start included, and print the figures.

    python bench/grade_reference.py [--runs N] [--mode auto|student|instructor] [--assignment ID]

Each run is a fresh `grade` process (interpreter start, imports, one worker
per exercise, every check) timed by wall clock. Target: at most 1.0 s for an
assignment (the default one: the notes' four exercises) on a 2-core machine,
isolation included.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    return (f"{os.cpu_count()} cores, {cpu or 'unknown CPU'}; Python {platform.python_version()}, "
            f"numpy {numpy.__version__}, {platform.system()} {platform.release()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--mode", default="auto", choices=("auto", "student", "instructor"))
    parser.add_argument("--assignment", metavar="ID", help="the assignment to grade (default: the default one)")
    args = parser.parse_args()
    grade = shutil.which("grade") or str(Path(sys.executable).with_name("grade"))
    cmd = [grade, str(ROOT / "reference"), "--mode", args.mode]
    if args.assignment:
        cmd += ["--assignment", args.assignment]
    subprocess.run(cmd, capture_output=True, check=False)          # warm the file cache
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr)
            print(f"grade exited with {proc.returncode}: the reference must score full marks")
            return 1
    print(f"machine: {machine()}")
    which = f" --assignment {args.assignment}" if args.assignment else ""
    print(f"command: grade reference/ --mode {args.mode}{which}  ({args.runs} runs, fresh process each)")
    print(f"wall time: median {statistics.median(times):.3f} s, min {min(times):.3f} s, "
          f"max {max(times):.3f} s (target <= 1.0 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
