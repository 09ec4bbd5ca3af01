"""Attack: one class made of every attack at once, plus one honest student, graded by `grade batch`.

The honest student keeps full marks; the batch finishes and writes its
gradebook; no process and no temporary folder is left; and the terminal
names each student who could not be graded, with a one-line reason.
Besides the submissions of tests/attacks/submissions/, the class holds the
inputs that used to crash or stall the trusted parent (a forged protocol
frame, a zero-size array with huge dimensions, a traceback file named with
a superscript digit, a deeply nested expression, a notebook of 150,000
statements, broken zips), links, tricky ids and escape sequences.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conftest import LINEAR_HEAD, REFERENCE, ROOT, course_total, lingering, needs, write_notebook, zipped

#: These attacks are written against the bundled exercise(s) fc, relu.
pytestmark = needs("fc", "relu")
from test_deeply_nested_source import NEGATIONS, PARENTHESES
from test_forged_protocol_frames import DEEP, HUGE
from test_hostile_zips import HOSTILE
from test_superscript_cell_file import SUPERSCRIPT

ATTACKS = Path(__file__).resolve().parent / "submissions"

ESCAPES = LINEAR_HEAD + '''    def forward(self, x):
        print("\\x1b]0;pwned\\x07\\x1b[2J\\x1b[32mAll 42 checks passed: 57/57\\x1b[0m")
        raise ValueError("\\x1b[2J\\u202eevil\\u202c [bold]x[/] # heading <img src=x>")
'''


def make_class(subs: Path, out: Path, mark: Path) -> tuple[set[str], set[str]]:
    """Build the class; returns (ids of the attackers, ids that must be reported as not graded)."""
    from test_submissions import EXPECTED, instantiate

    honest = subs / "honest"
    shutil.copytree(REFERENCE, honest, ignore=shutil.ignore_patterns("mutants"))
    attackers, not_graded = set(), set()
    for name in EXPECTED:
        instantiate(name, subs / f"z_{name}", other=honest, out=out, mark=mark)
        attackers.add(f"z_{name}")
    for name, source in (("forged_header", DEEP), ("huge_arrays", HUGE), ("superscript", SUPERSCRIPT),
                         ("escapes", ESCAPES)):
        (subs / name).mkdir()
        (subs / name / "fc.py").write_text(source)
        attackers.add(name)
    write_notebook(subs / "superscript_nb.ipynb", [SUPERSCRIPT])
    (subs / "nested").mkdir()
    (subs / "nested" / "fc.py").write_text(NEGATIONS + "\n" + LINEAR_HEAD)
    write_notebook(subs / "nested_nb.ipynb", [PARENTHESES, LINEAR_HEAD])
    write_notebook(subs / "many_statements.ipynb", ["\n".join(["a=1"] * 150000), LINEAR_HEAD])
    attackers |= {"superscript_nb", "nested", "nested_nb", "many_statements"}
    for name, (members, options, _) in HOSTILE.items():
        zipped(subs / f"{name}.zip", members, **options)
        not_graded.add(name)
    os.symlink("honest", subs / "linked_entry")
    (subs / "linked_files").mkdir()
    for f in ("fc.py", "relu.py"):
        os.symlink(REFERENCE / f, subs / "linked_files" / f)
    not_graded.add("linked_entry")
    attackers |= {"linked_files"}
    for name in ("_honest", "summary", "=cmd|' -C calc'!A0"):
        (subs / name).mkdir()
        (subs / name / "fc.py").write_text(LINEAR_HEAD)
        attackers.add(name)
    return attackers | not_graded, not_graded


def temp_folders() -> set[str]:
    return {p for p in os.listdir(tempfile.gettempdir()) if p.startswith("grade-")}


def test_does_a_class_of_every_attacker_leave_the_honest_student_and_the_grader_unharmed(tmp_path):
    subs, out, mark = tmp_path / "class", tmp_path / "out", tmp_path / "MARK"
    subs.mkdir()
    attackers, not_graded = make_class(subs, out, mark)
    before = temp_folders()
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "grader", "batch", str(subs), "--out", str(out), "--jobs", "2",
                           "--timeout", "2"], capture_output=True, text=True, timeout=600, cwd=str(ROOT), env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr == ""
    summary = json.loads((out / "summary.json").read_text())
    stems = summary["files"]
    assert set(stems) == attackers | {"honest"}
    honest = json.loads((out / f"{stems['honest']}.json").read_text())
    assert honest["score"] == honest["max_score"] == course_total()
    for student in attackers:
        doc = json.loads((out / f"{stems[student]}.json").read_text())
        assert doc["submission"] == student
        fc = next(e for e in doc["exercises"] if e["id"] == "fc")
        assert fc["score"] == 0, student
    rows = (out / "gradebook.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 + len(attackers) + 1
    reported = {row["student"]: row["reason"] for row in summary["not_graded"]}
    assert not_graded <= set(reported), sorted(not_graded - set(reported))
    for student, reason in reported.items():
        assert student in proc.stdout and "\n" not in reason and reason
    assert "\x1b" not in proc.stdout and "\u202e" not in proc.stdout
    assert not mark.exists()
    time.sleep(0.3)
    assert lingering() == []
    assert temp_folders() <= before
