"""Attack: entry names chosen to take someone else's grade or to break the class outputs.

An entry `_alice` was graded as alice (ids were sanitised), and the real
alice became an error with 0; an entry named `summary` overwrote its report
with the class summary, and every rerun then failed. Ids are data: each
student keeps their own id, their own files and their own score, whatever
the names, and reruns work.
"""

from __future__ import annotations

import csv
import json
import shutil

from grader import api

from conftest import REFERENCE, TEMPLATE, course_total, needs

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")

HONEST = ("alice", "a_b", "José Müller")
TRICKY = ("_alice", "summary", "gradebook", "a b", "Jose_M_ller", ".hidden_is_skipped")


def make_class(folder):
    for name in HONEST:
        shutil.copytree(REFERENCE, folder / name, ignore=shutil.ignore_patterns("mutants"))
    for name in TRICKY:
        (folder / name).mkdir(parents=True)
        shutil.copy(TEMPLATE / "fc.py", folder / name / "fc.py")
    return folder


def scores(out) -> dict:
    """{student id as written in each report: score}, read from every per-student JSON file."""
    found = {}
    for path in out.glob("*.json"):
        if path.name == "summary.json":
            continue
        doc = json.loads(path.read_text())
        assert doc["submission"] not in found, f"two files for {doc['submission']!r}"
        found[doc["submission"]] = doc["score"]
    return found


def test_does_every_student_keep_their_own_id_file_and_score(tmp_path):
    subs = make_class(tmp_path / "class")
    out = tmp_path / "out"
    api.batch(subs, out=out, jobs=2, timeout=5)
    got = scores(out)
    assert set(got) == set(HONEST) | set(TRICKY) - {".hidden_is_skipped"}
    assert all(got[name] == course_total() for name in HONEST), got
    assert all(got[name] == 0 for name in TRICKY if name in got), got
    summary = json.loads((out / "summary.json").read_text())
    assert summary["schema_version"] == 1 and summary["students"] == len(got)
    rows = {r[0]: r for r in csv.reader((out / "gradebook.csv").open(encoding="utf-8"))}
    total = f"{course_total():g}"
    assert rows["alice"][1] == total and rows["_alice"][1] == "0" and rows["José Müller"][1] == total


def test_does_a_rerun_of_the_same_class_work_and_change_nothing(tmp_path):
    subs = make_class(tmp_path / "class")
    out = tmp_path / "out"
    api.batch(subs, out=out, jobs=2, timeout=5)
    first = scores(out)
    again = api.batch(subs, out=out, jobs=2, timeout=5)
    assert again.graded == 0 and again.resumed == len(first)
    assert scores(out) == first
