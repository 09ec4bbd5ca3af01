"""Attack: a notebook of a huge number of trivial statements (`a=1` 150,000 times, about 1 MB).

The parent turns a notebook into a definitions-only module before any time
limit applies. That conversion used to be quadratic in the number of
statements (50,000 lines took 56 s), so a 1 MB notebook stalled a batch for
hours. It is linear now: four times the statements cost about four times
the time, never sixteen.
"""

from __future__ import annotations

import time

from grader.submissions.conversion import definitions, read_notebook

from conftest import LINEAR_HEAD, write_notebook


def converted(path):
    """Seconds of CPU to read and convert the notebook (best of two), and the conversion."""
    best, conversion = float("inf"), None
    for _ in range(2):
        started = time.process_time()
        conversion = definitions(read_notebook(path))
        best = min(best, time.process_time() - started)
    return best, conversion


def test_does_converting_a_notebook_take_time_linear_in_its_statements(tmp_path):
    seconds = {}
    for n in (20000, 80000):
        path = write_notebook(tmp_path / f"n{n}.ipynb", ["\n".join(["a=1"] * n), LINEAR_HEAD])
        seconds[n], conversion = converted(path)
        assert "class Linear" in conversion.source
    ratio = seconds[80000] / seconds[20000]
    assert ratio < 8, f"4x the statements took {ratio:.1f}x the time ({seconds})"
