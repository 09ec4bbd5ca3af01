"""Attack: entry names that a spreadsheet would run as formulas when staff open gradebook.csv.

`=HYPERLINK(...)`, `+1+cmd`, `-2`, `@SUM(...)`: every such cell is written so
that a spreadsheet shows it as text (a leading quote), and the id itself is
still readable.
"""

from __future__ import annotations

import csv
import shutil

from grader import api

from conftest import TEMPLATE, needs

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")

NAMES = ('=HYPERLINK("evil.invalid","open")', "+1+cmd", "-2-3", "@SUM(A1)")


def test_are_formula_ids_written_as_text(tmp_path):
    subs = tmp_path / "class"
    for name in NAMES:
        (subs / name).mkdir(parents=True)
        shutil.copy(TEMPLATE / "fc.py", subs / name / "fc.py")
    out = tmp_path / "out"
    api.batch(subs, out=out, jobs=2, timeout=5)
    rows = list(csv.reader((out / "gradebook.csv").open(encoding="utf-8")))[2:]
    cells = sorted(r[0] for r in rows)
    assert cells == sorted("'" + n for n in NAMES)
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@")]
