"""Attack: a hard link inside the submission to a file outside it (a reference solution, a classmate's file).

A hard link is another name for the same file: nothing about it looks like
a link except the file's link count. The grader refuses a file that has
names outside the submission, and accepts hard links between the
submission's own files.
"""

from __future__ import annotations

import os
import shutil

from grader import api

from conftest import REFERENCE, needs

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")


def test_is_a_hard_link_to_a_file_outside_the_submission_refused(tmp_path):
    staff = tmp_path / "staff"
    staff.mkdir()
    shutil.copy(REFERENCE / "fc.py", staff / "fc.py")
    student = tmp_path / "student"
    student.mkdir()
    os.link(staff / "fc.py", student / "fc.py")
    report = api.grade(student, exercise="fc", timeout=5)
    fc = report.exercises[0]
    assert fc.score == 0 and fc.status == "missing" and "hard link" in fc.message, fc.message


def test_is_a_hard_link_between_the_submissions_own_files_accepted(tmp_path):
    student = tmp_path / "student"
    student.mkdir()
    shutil.copy(REFERENCE / "fc.py", student / "fc.py")
    os.link(student / "fc.py", student / "backup_of_fc.py")
    report = api.grade(student, exercise="fc", timeout=5)
    assert report.exercises[0].score == report.exercises[0].max_score
