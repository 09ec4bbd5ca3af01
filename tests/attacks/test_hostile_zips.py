"""Attack: zips made to crash the extractor (encrypted, corrupt, clashing or unwritable names) or escape it.

Before, an encrypted member, a bad CRC, a file followed by a folder of the
same name, or a name too long for the file system raised out of the
grader and aborted a whole batch, at the same student on every rerun.
Each of these, and the zips that try to write outside their folder, must
be that student's one-line reason, and the rest of the class is graded.
"""

from __future__ import annotations

import json
import zipfile

import pytest

from grader import api

from conftest import REFERENCE, course_total, has, zipped

#: Any Python file will do: the archive is refused before it is read as a submission.
LINEAR = (REFERENCE / "fc.py").read_bytes() if has("fc") else b"class Linear:\n    pass\n"

#: name -> (members, options, words of the reason)
HOSTILE = {
    "bad_crc": ([("fc.py", LINEAR)], {"corrupt": True}, "CRC"),
    "encrypted": ([("fc.py", LINEAR)], {"encrypted": True}, "encrypted"),
    "file_then_folder": ([("work/fc.py", LINEAR), ("work/fc.py/x.py", b"x = 1\n")], {}, "both a file and a folder"),
    "long_name": ([("d" * 300 + "/fc.py", LINEAR)], {}, "too long"),
    "escape_name": ([("fc\x1b]0;title\x07.py", LINEAR)], {}, "control character"),
    "traversal": ([("../../escaped.py", LINEAR)], {}, "outside the archive"),
    "absolute": ([("/tmp/escaped.py", LINEAR)], {}, "outside the archive"),
    "twice": ([("fc.py", LINEAR), ("FC.py", LINEAR)], {}, "there twice"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_is_a_hostile_zip_refused_with_a_reason_and_nothing_written_outside(tmp_path, name):
    from grader.submissions import archive
    from grader.errors import SubmissionError

    members, options, reason = HOSTILE[name]
    path = zipped(tmp_path / f"{name}.zip", members, **options)
    with pytest.raises(SubmissionError, match=reason) as raised:
        archive.extract(path, tmp_path / "out" / "unzipped")
    assert "\n" not in str(raised.value)
    assert not (tmp_path / "escaped.py").exists() and not (tmp_path / "out" / "escaped.py").exists()


def test_are_entries_over_the_caps_refused(tmp_path):
    from grader.submissions import archive
    from grader.errors import SubmissionError

    many = zipped(tmp_path / "many.zip", [(f"f{k}.py", b"") for k in range(archive.MAX_FILES + 1)])
    with pytest.raises(SubmissionError, match="files"):
        archive.extract(many, tmp_path / "t1")
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.py", b"#" * (archive.MAX_BYTES + 1))
    with pytest.raises(SubmissionError, match="MiB"):
        archive.extract(bomb, tmp_path / "t2")


def test_is_a_huge_central_directory_refused_before_zipfile_reads_it(tmp_path, monkeypatch):
    from grader.submissions import archive
    from grader.errors import SubmissionError

    many = zipped(tmp_path / "many.zip", [(str(k), b"") for k in range(70000)])
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: pytest.fail("zipfile parsed the directory"))
    with pytest.raises(SubmissionError, match="more than 65534 entries"):
        archive.extract(many, tmp_path / "t")


def test_does_a_class_with_every_hostile_zip_grade_the_honest_student(tmp_path):
    subs, out = tmp_path / "class", tmp_path / "out"
    subs.mkdir()
    for name, (members, options, _) in HOSTILE.items():
        zipped(subs / f"{name}.zip", members, **options)
    zipped(subs / "honest.zip", [(p.name, p.read_bytes()) for p in REFERENCE.glob("*.py")])
    api.batch(subs, out=out, jobs=1, timeout=5)
    summary = json.loads((out / "summary.json").read_text())
    reasons = {row["student"]: row["reason"] for row in summary["not_graded"]}
    assert set(reasons) == set(HOSTILE), reasons
    for name, (_, _, reason) in HOSTILE.items():
        assert reason in reasons[name], (name, reasons[name])
    honest = json.loads((out / f"{summary['files']['honest']}.json").read_text())
    assert honest["score"] == honest["max_score"] == course_total()
    assert not (tmp_path / "escaped.py").exists()
