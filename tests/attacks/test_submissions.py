"""Questions about attacking submissions: does each one fail, and does nothing else suffer?

The submissions are in tests/attacks/submissions/, one file per attack (see its README).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from grader import api

from conftest import COURSE, REFERENCE, course_total, lingering, needs

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")

ATTACKS = Path(__file__).resolve().parent / "submissions"

#: attack -> diagnosis codes of which one must be named on the check of the first attacked call (the
#: forward); later calls may fail differently (a backward that never set self.dW is `missing`).
EXPECTED = {
    "monkeypatch_numpy": {"zero"},
    "monkeypatch_grader": {"wrong_shape", "wrong_type", "wrong_value", "layout_transposed"},
    "ndarray_subclass_eq": {"wrong_type"},
    "protocol_tricks": {"wrong_type"},
    "sys_exit": {"crashed"},
    "os_exit": {"crashed"},
    "fake_report": {"crashed"},
    "infinite_loop": {"timeout", "crashed"},
    "sleep": {"timeout"},
    "memory_bomb": {"memory", "timeout"},
    "fork_flood": {"forbidden"},
    "setsid_grandchild": {"forbidden"},
    "kill_parent": {"forbidden", "crashed"},
    "read_reference": {"forbidden"},
    "import_reference": {"forbidden", "crashed"},
    "write_other_student": {"forbidden"},
    "write_output": {"forbidden"},
    "socket_loopback": {"forbidden"},
    "subprocess_run": {"forbidden"},
    "os_system": {"forbidden"},
    "print_flood": {"crashed"},
    "deep_recursion": {"crashed", "timeout", "memory"},
}


def instantiate(name: str, folder: Path, *, other: Path, out: Path, mark: Path) -> Path:
    text = (ATTACKS / f"{name}.py").read_text()
    for key, value in {"__REFERENCE_DIR__": REFERENCE, "__COURSE_ROOT__": COURSE.root, "__OTHER_STUDENT__": other,
                       "__OUT_DIR__": out, "__MARK__": mark}.items():
        text = text.replace(key, str(value))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "fc.py").write_text(text)
    return folder


def test_does_every_attack_file_have_an_expectation():
    assert {p.stem for p in ATTACKS.glob("*.py")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_does_the_attack_score_zero_with_a_fitting_diagnosis(name, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(REFERENCE, other, ignore=shutil.ignore_patterns("mutants"))
    before = {p.name: p.read_bytes() for p in other.iterdir()}
    out = tmp_path / "out"
    out.mkdir()
    mark = tmp_path / "MARK"
    folder = instantiate(name, tmp_path / "attacker", other=other, out=out, mark=mark)
    report = api.grade(folder, exercise="fc", timeout=2)
    fc = report.exercises[0]
    assert fc.score == 0, [(c.id, c.message) for c in fc.checks if c.passed]
    forward = next(c for c in fc.checks if c.id == "fc.forward")
    assert set(forward.diagnosis) & EXPECTED[name], (forward.diagnosis, forward.message)
    assert all(c.diagnosis and c.message for c in fc.checks)
    time.sleep(0.3)
    assert not mark.exists(), "the attack reached outside its sandbox"
    assert {p.name: p.read_bytes() for p in other.iterdir()} == before, "another student's files changed"
    assert list(out.iterdir()) == [], "the output folder was written"
    assert lingering() == []


def test_does_a_batch_of_attackers_leave_honest_students_and_the_grader_unharmed(tmp_path):
    subs = tmp_path / "class"
    out = tmp_path / "out"
    mark = tmp_path / "MARK"
    honest = subs / "honest"
    shutil.copytree(REFERENCE, honest, ignore=shutil.ignore_patterns("mutants"))
    before = {p.name: p.read_bytes() for p in honest.iterdir()}
    for name in EXPECTED:
        instantiate(name, subs / f"z_{name}", other=honest, out=out, mark=mark)
    result = api.batch(subs, out=out, jobs=2, timeout=2)
    assert result.students == len(EXPECTED) + 1
    honest_doc = json.loads((out / "honest.json").read_text())
    assert honest_doc["score"] == honest_doc["max_score"] == course_total()
    for name in EXPECTED:
        doc = json.loads((out / f"z_{name}.json").read_text())
        fc = next(e for e in doc["exercises"] if e["id"] == "fc")
        assert fc["score"] == 0, name
    assert {p.name: p.read_bytes() for p in honest.iterdir()} == before
    assert not mark.exists()
    assert not (out / "write_output.json").exists()
    rows = (out / "gradebook.csv").read_text().splitlines()
    assert rows[0].startswith("student,total") and len(rows) == len(EXPECTED) + 3
    time.sleep(0.3)
    assert lingering() == []
