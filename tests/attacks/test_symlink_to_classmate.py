"""Attack: in a class folder, a student's files are links to a classmate's files, or the entry itself is.

The linking student must get nothing of the classmate's grade, and the
classmate must keep theirs, with their files untouched.
"""

from __future__ import annotations

import json
import os
import shutil

from grader import api

from conftest import REFERENCE, course_total, exercise_points, needs

#: These attacks are written against the bundled exercise(s) fc, relu.
pytestmark = needs("fc", "relu")


def test_does_a_link_to_a_classmates_file_earn_nothing(tmp_path):
    alice = tmp_path / "class" / "alice"
    shutil.copytree(REFERENCE, alice, ignore=shutil.ignore_patterns("mutants"))
    before = {p.name: p.read_bytes() for p in alice.iterdir()}
    bob = tmp_path / "class" / "bob"
    bob.mkdir()
    os.symlink("../alice/fc.py", bob / "fc.py")
    shutil.copy(REFERENCE / "relu.py", bob / "relu.py")
    api.batch(tmp_path / "class", out=tmp_path / "out", jobs=2, timeout=5)
    bob_doc = json.loads((tmp_path / "out" / "bob.json").read_text())
    scores = {e["id"]: e["score"] for e in bob_doc["exercises"]}
    assert scores["fc"] == 0 and scores["relu"] == exercise_points("relu")
    fc = next(e for e in bob_doc["exercises"] if e["id"] == "fc")
    assert "symbolic link" in fc["message"]
    assert json.loads((tmp_path / "out" / "alice.json").read_text())["score"] == course_total()
    assert {p.name: p.read_bytes() for p in alice.iterdir()} == before


def test_is_an_entry_that_links_to_a_classmates_folder_refused(tmp_path):
    alice = tmp_path / "class" / "alice"
    shutil.copytree(REFERENCE, alice, ignore=shutil.ignore_patterns("mutants"))
    os.symlink("alice", tmp_path / "class" / "bob")
    result = api.batch(tmp_path / "class", out=tmp_path / "out", jobs=1, timeout=5)
    assert result.students == 2
    assert json.loads((tmp_path / "out" / "bob.json").read_text())["score"] == 0
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    reasons = {row["student"]: row["reason"] for row in summary["not_graded"]}
    assert "bob" in reasons and "symbolic link" in reasons["bob"]
    assert json.loads((tmp_path / "out" / "alice.json").read_text())["score"] == course_total()
