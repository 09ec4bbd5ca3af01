"""Attack: two entries that would be the same student, so one grade could land on the other.

`alice/` (stubs) and `alice.zip` (a full solution), or `Bob` and `bob`
(one output file on a case-insensitive disk): such entries are refused
together before grading, each named, and nobody else is affected.
"""

from __future__ import annotations

import json
import shutil
import zipfile

from grader import api

from conftest import REFERENCE, TEMPLATE, course_total, needs

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")


def test_are_entries_with_the_same_id_refused_together_by_name(tmp_path):
    subs = tmp_path / "class"
    (subs / "alice").mkdir(parents=True)
    shutil.copy(TEMPLATE / "fc.py", subs / "alice" / "fc.py")
    with zipfile.ZipFile(subs / "alice.zip", "w") as zf:
        zf.write(REFERENCE / "fc.py", "fc.py")
    shutil.copytree(REFERENCE, subs / "carol", ignore=shutil.ignore_patterns("mutants"))
    (subs / "Bob").mkdir()
    shutil.copy(REFERENCE / "fc.py", subs / "Bob" / "fc.py")
    (subs / "bob").mkdir()
    shutil.copy(TEMPLATE / "fc.py", subs / "bob" / "fc.py")
    out = tmp_path / "out"
    result = api.batch(subs, out=out, jobs=2, timeout=5)
    assert result.students == 5
    summary = json.loads((out / "summary.json").read_text())
    refused = {row["student"]: row["reason"] for row in summary["not_graded"]}
    assert set(refused) == {"alice", "alice.zip", "Bob", "bob"}
    assert "'alice' and 'alice.zip'" in refused["alice"] and "'alice' and 'alice.zip'" in refused["alice.zip"]
    assert "'Bob' and 'bob'" in refused["bob"]
    docs = [json.loads(p.read_text()) for p in out.glob("*.json") if p.name != "summary.json"]
    assert {d["submission"]: d["score"] for d in docs} == {"alice": 0, "alice.zip": 0, "Bob": 0, "bob": 0,
                                                            "carol": course_total()}
