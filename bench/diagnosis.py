"""Grade the diagnosis corpus and print how well bugs are caught and named.

    python bench/diagnosis.py [--mode instructor|student] [--heldout]

Prints, over tests/corpus:
- the kill rate: planted bugs whose check fails (and that lose points);
- the false-failure count: correct submissions that lose any point;
- the diagnosis accuracy: planted bugs whose check names the manifest's code;
- the confusion matrix: planted bug code (rows) against the codes named on
  the failing check (columns; "—" when the check passed);
- every misnamed bug, and the time taken.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import corpus_runner  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="instructor", choices=("instructor", "student"))
    parser.add_argument("--heldout", action="store_true",
                        help="grade tests/corpus_heldout (bugs the engine was never tuned on) instead")
    args = parser.parse_args()
    entries = corpus_runner.load(corpus_runner.HELDOUT if args.heldout else corpus_runner.CORPUS)
    started = time.perf_counter()
    results = corpus_runner.grade_all(entries, mode=args.mode)
    seconds = time.perf_counter() - started
    buggy = [g for g in results if g.entry.kind == "buggy"]
    correct = [g for g in results if g.entry.kind == "correct"]
    caught = sum(g.caught for g in buggy)
    false_fail = [g for g in correct if not g.full_marks]
    named = sum(g.diagnosed for g in buggy)
    which = "held-out corpus" if args.heldout else "corpus"
    print(f"{which}: {len(buggy)} buggy and {len(correct)} correct submissions, {args.mode} mode, "
          f"graded in {seconds:.1f} s")
    print(f"kill rate: {caught}/{len(buggy)} = {caught / max(1, len(buggy)):.1%}")
    print(f"false failures: {len(false_fail)} of {len(correct)} correct submissions")
    for g in false_fail:
        print(f"  {g.entry.name}: {g.failing}")
    print(f"diagnosis accuracy: {named}/{len(buggy)} = {named / max(1, len(buggy)):.1%}")

    rows: dict[str, Counter] = defaultdict(Counter)
    for g in buggy:
        got = g.named or ("—",)
        for code in got:
            rows[g.entry.diagnosis][code] += 1
    columns = sorted({c for r in rows.values() for c in r})
    width = max(len(c) for c in list(rows) + columns + ["planted \\ named"])
    print("\nconfusion matrix (rows: planted code; columns: codes named on the failing check):")
    print(" " * (width + 1) + " ".join(f"{c[:8]:>8}" for c in columns))
    for code in sorted(rows):
        print(f"{code:<{width}} " + " ".join(f"{rows[code][c] or '.':>8}" for c in columns))
    misnamed = [g for g in buggy if not g.diagnosed]
    if misnamed:
        print("\nmisnamed:")
        for g in misnamed:
            print(f"  {g.entry.name}: planted {g.entry.diagnosis}, named {', '.join(g.named) or 'nothing'}"
                  f" ({g.entry.bug})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
