"""Attack: a submission made of symbolic links to the course's reference solutions.

Links cost nothing to make and survive where submissions travel (a git
clone keeps them; Gradescope's GitHub submissions are clones). A folder
whose fc.py … logistic.py point at reference/ must score 0 through every
entry point: `grade`, `grade batch` and the Gradescope runner, each exercise
refused with the reason, in one line.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

from grader import api

from conftest import EXERCISES, REFERENCE, assignment_ids, gradescope_layout, run_autograder

#: Every exercise file of the default assignment of the course under test, as a link.
pytestmark = pytest.mark.course
FILES = tuple(EXERCISES[i].file for i in assignment_ids())


def linked_folder(folder, target_dir, *, relative: bool = False):
    folder.mkdir(parents=True)
    for name in FILES:
        target = target_dir / name
        os.symlink(os.path.relpath(target, folder) if relative else target, folder / name)
    return folder


def test_does_grade_score_links_to_the_reference_zero(tmp_path):
    report = api.grade(linked_folder(tmp_path / "student", REFERENCE), timeout=5)
    assert report.score == 0
    for ex in report.exercises:
        assert ex.status == "missing" and "symbolic link" in ex.message, ex.message


def test_does_a_batch_score_links_to_the_reference_zero(tmp_path):
    linked_folder(tmp_path / "class" / "mallory", REFERENCE)
    api.batch(tmp_path / "class", out=tmp_path / "out", jobs=1, timeout=5)
    doc = json.loads((tmp_path / "out" / "mallory.json").read_text())
    assert doc["score"] == 0
    assert all("symbolic link" in e["message"] for e in doc["exercises"])


def test_does_the_gradescope_runner_score_links_to_its_reference_zero(tmp_path):
    root = gradescope_layout(api.gradescope(out=tmp_path / "autograder.zip", timeout=5), tmp_path / "autograder")
    linked_folder(tmp_path / "upload" / "hw", root / "source" / "reference")
    results = run_autograder(root, [tmp_path / "upload" / "hw"], python=sys.executable)
    assert results["score"] == 0
    assert all(t["score"] == 0 for t in results["tests"])
