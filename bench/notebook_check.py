"""Time the notebook check cell, and a notebook submission, and print the figures.

    python bench/notebook_check.py [--runs N]

1. `check("<id>")` as a student runs it in a warm kernel: the time of
   `grader.submissions.notebook.grade_code` on the reference pasted into cells, one cell
   per top-level statement (collection, conversion, worker, every check;
   rendering excluded). Target: under a second per exercise.
2. `grade <id>.ipynb` end to end, a fresh process each run, against
   `grade <id>.py` of the same code, to show what the conversion costs.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from grade_reference import machine  # noqa: E402


def cells_of(source: str) -> list[str]:
    tree = ast.parse(source)
    lines = source.splitlines()
    return ["\n".join(lines[n.lineno - 1:n.end_lineno]) for n in tree.body
            if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from grader.submissions.conversion import Cell
    from grader.authoring.course import find_course
    from grader.submissions.notebook import grade_code

    course = find_course()
    print(f"Machine: {machine()}")
    print(f"\n1. check(id) in a warm kernel (grade_code), {args.runs} runs each")
    print(f"{'exercise':<14}{'mode':<12}{'median':>8}{'min':>8}{'max':>8}  passed")
    for ex in course.exercises():
        source = (course.reference_dir / ex.file).read_text(encoding="utf-8")
        cells = [Cell(i + 1, c) for i, c in enumerate(cells_of(source))]
        for mode in ("student", "instructor"):
            result = {}
            times = timed(lambda: result.update(r=grade_code(ex.id, cells, mode=mode)[0]), args.runs)
            print(f"{ex.id:<14}{mode:<12}{statistics.median(times):>7.2f}s{min(times):>7.2f}s{max(times):>7.2f}s"
                  f"  {result['r'].all_passed}")

    print(f"\n2. `grade` process end to end, {args.runs} runs each (instructor mode)")
    print(f"{'exercise':<14}{'.py median':>12}{'.ipynb median':>15}")
    grade = [sys.executable, "-m", "grader"]
    with tempfile.TemporaryDirectory() as tmp:
        for ex in course.exercises():
            source = (course.reference_dir / ex.file).read_text(encoding="utf-8")
            py = Path(tmp) / ex.file
            py.write_text(source, encoding="utf-8")
            nb = Path(tmp) / f"{ex.id}.ipynb"
            nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells_of(source)]), str(nb))
            row = []
            for path in (py, nb):
                times = timed(lambda: subprocess.run(grade + [str(path)], stdout=subprocess.DEVNULL, check=True),
                              args.runs)
                row.append(statistics.median(times))
            print(f"{ex.id:<14}{row[0]:>11.2f}s{row[1]:>14.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
