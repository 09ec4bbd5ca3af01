"""Attack: a link named like a helper module, pointing at a file the grader can read and the student cannot.

The worker gets a copy of the submission's .py files, so a link `notes.py`
to a secret file would be copied into the worker; importing it fails on
the secret's first line, and the traceback brought the line back in the
student's own report. The link must be left out (with a note) and the
secret must appear nowhere in what the student gets.
"""

from __future__ import annotations

import json
import os

from grader import api

from conftest import reference_source

SECRET = "hidden salt for the final exam is 8c1f-secret-4e2a"


def test_does_a_linked_helper_stay_out_of_the_worker_and_the_report(tmp_path):
    secret = tmp_path / "staff" / "salt.txt"
    secret.parent.mkdir()
    secret.write_text(SECRET + "\n")
    student = tmp_path / "student"
    student.mkdir()
    os.symlink(secret, student / "notes.py")
    (student / "fc.py").write_text("import notes\n" + reference_source("fc"))
    report = api.grade(student, exercise="fc", timeout=5)
    text = json.dumps(report.to_dict())
    assert SECRET not in text and "8c1f" not in text
    assert any("notes.py was left out" in n for n in report.notes), report.notes
    assert report.exercises[0].score == 0          # `import notes` fails: the link is not there
