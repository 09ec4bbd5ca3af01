"""Questions about a class's roster (grader.submissions.roster): ids as given, and output names that never collide."""

from __future__ import annotations

import os
import shutil

from grader.submissions import roster

from conftest import EXERCISES, TEMPLATE


def test_is_a_plain_id_its_own_output_name():
    assert roster.output_stem("alice") == "alice" and roster.output_stem("s1234.x-y_z") == "s1234.x-y_z"


def test_do_other_ids_get_a_digest_that_tells_them_apart():
    stems = {roster.output_stem(x) for x in ("a b", "a_b", "a-b", "_a_b", "José", "Jose")}
    assert len(stems) == 6 and "a_b" in stems
    assert all("~" in s for s in stems - {"a_b", "a-b", "Jose"})


def test_is_no_student_file_named_like_a_class_output():
    for name in ("summary", "SUMMARY", "gradebook", "report", "con", "x.tmp"):
        assert roster.output_stem(name).casefold() not in {"summary", "gradebook", "report", "con", "x.tmp"}


def test_are_output_names_unique_ignoring_case_over_a_tricky_class(tmp_path):
    for name in ("alice", "_alice", "summary", "a b", "a_b", "José Müller", "Jose_M_ller", "x.zip.py"):
        (tmp_path / name).mkdir()
        file = next(iter(EXERCISES.values())).file
        shutil.copy(TEMPLATE / file, tmp_path / name / file)
    (tmp_path / "x.zip").write_bytes(b"")
    os.symlink("alice", tmp_path / "mallory")
    entries = roster.discover(tmp_path)
    stems = [e.stem for e in entries]
    assert len({s.casefold() for s in stems}) == len(stems) == 10
    assert {e.student for e in entries} >= {"alice", "_alice", "summary", "a b", "a_b", "José Müller"}
    assert next(e for e in entries if e.student == "mallory").kind == "invalid"


def test_is_an_id_shared_with_a_refused_entry_refused_too(tmp_path):
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob.py").write_text("x = 1\n")
    (tmp_path / "bob.py.zip").write_bytes(b"")
    entries = {e.path.name: e for e in roster.discover(tmp_path)}
    assert all(e.kind == "invalid" for e in entries.values()), entries
    assert len({e.student for e in entries.values()}) == 3
