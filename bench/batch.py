"""Time `grade batch` on a generated class and print the figures.

    python bench/batch.py [--students 200] [--jobs N] [--hanging 10]

Two classes are generated. "generated": each student folder holds the four
exercise files, each one correct (the reference), buggy (the reference with
one of the planted one-line bugs of tests/test_each_check_catches_its_bug.py)
or crashing (os._exit at import, or a syntax error). "corpus mix": each file
is drawn from the diagnosis corpus (tests/corpus) as a correct, buggy or
crashing file; the corpus's correct files include deliberately slow styles
(Python loops over the 200,000-element ReLU case, per-example training
loops), so this class is heavier. For each class and isolation setting (all
layers on, then off, then for the generated class each OS layer alone) it
prints:
- students per second, over a class without hanging students;
- the per-student wall time (median and 90th percentile);
- the peak memory of the whole process tree (sampled every 50 ms);
then the wall time of the same class plus `--hanging` students whose code
sleeps forever (each costs the exercise's timeout, 2 s here).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from grade_reference import machine  # noqa: E402

from grader import api, batch  # noqa: E402

FILES = {"fc": "fc.py", "relu": "relu.py", "scanning_mlp": "scanning_mlp.py", "logistic": "logistic.py"}
CRASH = "import os\nos._exit(0)\n"
SYNTAX = "class Oops(:\n    pass\n"
HANG = "import time\ntime.sleep(3600)\n"


def make_generated_class(folder: Path, n: int, seed: int = 11) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_each_check_catches_its_bug import BUGS

    rng = random.Random(seed)
    mix = {"correct": 0, "buggy": 0, "crashing": 0}
    for k in range(n):
        student = folder / f"s{k:03d}"
        student.mkdir(parents=True)
        for ex, name in FILES.items():
            roll = rng.random()
            kind = "correct" if roll < 0.5 else "buggy" if roll < 0.9 else "crashing"
            if kind == "correct":
                text = (ROOT / "reference" / name).read_text()
            elif kind == "buggy":
                text = rng.choice([b for b in BUGS if b.exercise == ex]).source()
            else:
                text = rng.choice([CRASH, SYNTAX])
            (student / name).write_text(text)
            mix[kind] += 1
    return mix


def make_class(folder: Path, n: int, hanging: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    pools = {}
    for ex in FILES:
        pools[ex] = {kind: sorted((ROOT / "tests" / "corpus" / ex / kind).glob("*.py"))
                     for kind in ("correct", "buggy")}
    mix = {"correct": 0, "buggy": 0, "crashing": 0, "hanging": 0}
    for k in range(n + hanging):
        student = folder / f"s{k:03d}"
        student.mkdir(parents=True)
        for ex, name in FILES.items():
            if k >= n:
                (student / name).write_text(HANG)
                kind = "hanging"
            else:
                roll = rng.random()
                kind = "correct" if roll < 0.45 else "buggy" if roll < 0.9 else "crashing"
                if kind == "crashing":
                    (student / name).write_text(rng.choice([CRASH, SYNTAX]))
                else:
                    shutil.copy(rng.choice(pools[ex][kind]), student / name)
            mix[kind] += 1
    return mix


class TreeMemory:
    """Samples the summed RSS of this process and all its descendants."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree_rss(self) -> int:
        parents, rss = {}, {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
                rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        me = os.getpid()
        total, stack, seen = 0, [me], set()
        children = {}
        for pid, ppid in parents.items():
            children.setdefault(ppid, []).append(pid)
        while stack:
            pid = stack.pop()
            if pid in seen:
                continue
            seen.add(pid)
            total += rss.get(pid, 0)
            stack += children.get(pid, [])
        return total

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss())
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run(subs: Path, out: Path, jobs: int, isolation: bool):
    per_student = []
    with TreeMemory() as mem:
        started = time.perf_counter()
        result = api.batch(subs, out=out, jobs=jobs, timeout=2, isolation=isolation,
                           progress=lambda e: e["event"] == "done" and per_student.append(e["seconds"]))
        wall = time.perf_counter() - started
    return result, wall, per_student, mem.peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--hanging", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        gen = make_generated_class(tmp / "generated", args.students)
        mix = make_class(tmp / "class", args.students, 0)
        print(f"generated: {args.students} students x 4 exercises; files: {gen['correct']} correct, "
              f"{gen['buggy']} buggy, {gen['crashing']} crashing.")
        print(f"corpus mix: {args.students} students x 4 exercises; files: {mix['correct']} correct, "
              f"{mix['buggy']} buggy, {mix['crashing']} crashing. --jobs {args.jobs}, --timeout 2")
        settings = [("all layers on", True), ("isolation off (process + rlimit only)", False)]
        single = [(f"only {name} (+ process, rlimit)", [name]) for name in batch.OS_LAYERS]
        for cls, folder in (("generated", tmp / "generated"), ("corpus mix", tmp / "class")):
            for k, (label, isolation) in enumerate(settings + (single if cls == "generated" else [])):
                result, wall, per, peak = run(folder, tmp / f"out-{cls}-{k}", args.jobs, isolation)
                per.sort()
                layers = ", ".join(result.summary["isolation"]["layers"])
                print(f"\n{cls}, {label} [{layers}]")
                print(f"  {result.graded} students in {wall:.2f} s: {result.graded / wall:.1f} students/s "
                      f"(target >= 20), slot start-up included")
                print(f"  per-student wall: median {statistics.median(per) * 1000:.0f} ms, "
                      f"p90 {per[int(0.9 * (len(per) - 1))] * 1000:.0f} ms (inside a slot, fork server warm)")
                print(f"  peak memory of the process tree: {peak / 2**20:.0f} MiB")
        if args.hanging:
            make_generated_class(tmp / "hang", args.students)
            for k in range(args.hanging):
                student = tmp / "hang" / f"z{k:03d}"
                student.mkdir()
                for name in FILES.values():
                    (student / name).write_text(HANG)
            result, wall, _, _ = run(tmp / "hang", tmp / "out-hang", args.jobs, True)
            print(f"\ngenerated class with {args.hanging} hanging students added ({result.graded} in all, each "
                  f"hanging exercise stopped at 2 s): {wall:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
