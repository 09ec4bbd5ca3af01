"""Questions about reading a submission (grader.submissions.intake), and whether every entry point reads it the same way."""

from __future__ import annotations

import json
import shutil
import sys
import zipfile

import pytest

from grader import api
from grader.outputs import prairielearn
from grader.errors import SubmissionError, UsageError
from grader.submissions.intake import exercise_of, open_submission

from conftest import (ASSIGNMENTS, BUGGY, COURSE, EXERCISES, REFERENCE, assignment_ids, gradescope_layout, needs,
                      needs_bundled, run_autograder, split_cells, write_notebook)

#: Most tests here are about the names of the bundled exercises; the others (marked `course`) about any course.
fc_relu = needs("fc", "relu")


def opened(path, tmp_path, **kwargs):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return open_submission(path, COURSE, workdir=work, **kwargs)


def chosen(prepared) -> dict:
    return {i: (p.name if p is not None else None) for i, p in prepared.files.items()}


@needs_bundled
@pytest.mark.parametrize("name, expected", [
    ("fc.py", "fc"), ("fc-1.py", "fc"), ("fc (2).py", "fc"), ("FC.py", "fc"), ("relu_3.ipynb", "relu"),
    ("scanning_mlp-12.py", "scanning_mlp"), ("logistic.ipynb", "logistic"),
    ("fc.txt", None), ("fcc.py", None), ("fc-final.py", None), ("my_fc.py", None),
])
def test_which_exercise_is_a_file_named_for(name, expected):
    assert exercise_of(name, COURSE.exercises()) == expected


@fc_relu
def test_does_a_folder_map_present_and_absent_exercise_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "fc.py").write_text("x = 1\n")
    assert chosen(opened(tmp_path / "sub", tmp_path)) == {**{i: None for i in EXERCISES}, "fc": "fc.py"}


@fc_relu
def test_do_files_an_lms_or_a_browser_renamed_count_for_their_exercise(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "fc-1.py").write_text("x = 1\n")
    (sub / "relu (2).py").write_text("x = 1\n")
    files = chosen(opened(sub, tmp_path))
    assert files["fc"] == "fc-1.py" and files["relu"] == "relu (2).py"


@fc_relu
def test_are_two_files_for_one_exercise_refused_by_name(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "fc.py").write_text("x = 1\n")
    (sub / "fc-1.py").write_text("x = 2\n")
    (sub / "relu.py").write_text("x = 1\n")
    prepared = opened(sub, tmp_path)
    assert prepared.files["fc"] is None and "fc-1.py and fc.py" in prepared.refused["fc"]
    assert prepared.files["relu"].name == "relu.py"


@fc_relu
def test_does_a_folder_holding_one_folder_get_read_there(tmp_path):
    inner = tmp_path / "sub" / "Homework 1"
    inner.mkdir(parents=True)
    (inner / "relu.py").write_text("x = 1\n")
    (tmp_path / "sub" / "__MACOSX").mkdir()
    assert chosen(opened(tmp_path / "sub", tmp_path))["relu"] == "relu.py"


@fc_relu
def test_does_one_file_defining_several_exercises_count_for_each(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "layers.py").write_text((REFERENCE / "fc.py").read_text() + (REFERENCE / "relu.py").read_text())
    prepared = opened(sub, tmp_path)
    assert chosen(prepared) == {**{i: None for i in EXERCISES}, "fc": "layers.py", "relu": "layers.py"}
    assert any("fc was graded from layers.py, which defines Linear" in n for n in prepared.notes)
    alone = opened(sub / "layers.py", tmp_path)
    assert chosen(alone) == {"fc": "layers.py", "relu": "layers.py"}


@fc_relu
def test_does_a_single_file_named_for_an_exercise_count_for_it_alone(tmp_path):
    f = tmp_path / "fc.py"
    f.write_text((REFERENCE / "fc.py").read_text() + (REFERENCE / "relu.py").read_text())
    assert chosen(opened(f, tmp_path)) == {"fc": "fc.py"}
    assert chosen(opened(f, tmp_path, by_name=False)) == {"fc": "fc.py", "relu": "fc.py"}


@fc_relu
def test_does_a_folder_with_nothing_recognisable_ask_did_you_mean(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "fc_layr.py").write_text("x = 1\n")
    with pytest.raises(SubmissionError, match=r"holds none of the exercise files .*it holds fc_layr\.py\. "
                                              r"Did you mean fc\.py for fc_layr\.py\?"):
        opened(sub, tmp_path)


@pytest.mark.course
def test_is_a_file_defining_nothing_refused_with_the_names_wanted(tmp_path):
    f = tmp_path / "notes.py"
    f.write_text("x = 1\n")
    with pytest.raises(SubmissionError, match="defines none of the exercises' names"):
        opened(f, tmp_path)


@fc_relu
def test_is_an_upload_folder_holding_only_a_zip_read_from_the_zip(tmp_path):
    sub = tmp_path / "sub"
    sub.mkdir()
    with zipfile.ZipFile(sub / "hw.zip", "w") as zf:
        zf.writestr("hw/relu.py", "x = 1\n")
    assert chosen(opened(sub, tmp_path))["relu"] == "relu.py"


@fc_relu
@pytest.mark.parametrize("name, content, fragment", [
    ("fc.py", b"\x00\x01binary", "binary data"),
    ("fc.zip", b"PK", "zip"),
    ("fc.txt", b"x = 1", "not a Python file"),
])
def test_is_an_unreadable_submission_refused_in_one_line(tmp_path, name, content, fragment):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(SubmissionError, match=fragment):
        opened(f, tmp_path)


@fc_relu
def test_is_a_huge_source_file_refused(tmp_path):
    f = tmp_path / "fc.py"
    f.write_bytes(b"#" * (3 << 20))
    with pytest.raises(SubmissionError, match="MiB"):
        opened(f, tmp_path)


# ---------------------------------------------------------------------------
# The same files, every entry point, the same verdicts

def _kinds(base):
    """{kind: (path for grade, files to put in a Gradescope upload)} holding the buggy fc and relu."""
    fc, relu = (BUGGY / "fc.py").read_text(), (BUGGY / "relu.py").read_text()
    out = {}

    def folder(name, files):
        d = base / name
        d.mkdir(parents=True)
        for n, text in files.items():
            (d / n).write_text(text)
        return d

    out["folder"] = folder("folder", {"fc.py": fc, "relu.py": relu})
    out["renamed"] = folder("renamed", {"fc-1.py": fc, "relu (2).py": relu})
    out["nested"] = folder("nested/Homework 1", {"fc.py": fc, "relu.py": relu}).parent
    out["one_py"] = folder("one_py", {"layers.py": fc + "\n\n" + relu}) / "layers.py"
    nb = base / "notebook"
    nb.mkdir()
    out["notebook"] = write_notebook(nb / "homework.ipynb", split_cells(fc) + split_cells(relu))
    zdir = base / "zip"
    zdir.mkdir()
    with zipfile.ZipFile(zdir / "hw1.zip", "w") as zf:
        zf.writestr("hw1/fc.py", fc)
        zf.writestr("hw1/relu.py", relu)
    out["zip"] = zdir / "hw1.zip"
    return out


def _verdicts(doc: dict) -> dict:
    """{exercise: (status, [(check, passed, score, diagnosis)])} for fc and relu: what must not depend on the way in."""
    return {e["id"]: (e["status"], [(c["id"], c["passed"], c["score"], c["diagnosis"]) for c in e["checks"]])
            for e in doc["exercises"] if e["id"] in ("fc", "relu")}


@fc_relu
def test_do_grade_batch_gradescope_and_prairielearn_give_every_kind_of_entry_the_same_verdicts(tmp_path):
    kinds = _kinds(tmp_path / "kinds")
    expected = _verdicts(api.grade(kinds["folder"], timeout=10).to_dict())
    assert expected["fc"][0] == "graded" and not all(c[1] for c in expected["fc"][1])   # the bug is seen

    class_dir = tmp_path / "class"
    class_dir.mkdir()
    for kind, path in kinds.items():
        target = class_dir / (kind + (path.suffix if path.is_file() else ""))
        if path.is_dir():
            shutil.copytree(path, target)
        else:
            target.write_bytes(path.read_bytes())
    api.batch(class_dir, out=tmp_path / "out", jobs=2, timeout=10)
    root = gradescope_layout(api.gradescope(out=tmp_path / "ag.zip", timeout=10), tmp_path / "autograder")
    for kind, path in kinds.items():
        via_grade = _verdicts(api.grade(path, timeout=10).to_dict())
        via_batch = _verdicts(json.loads((tmp_path / "out" / f"{kind}.json").read_text()))
        upload = sorted(path.iterdir()) if path.is_dir() else [path]
        results = run_autograder(root, upload, python=sys.executable)
        via_gradescope = {}
        for t in results["tests"]:
            if t["visibility"] == "after_published" and t["name"].split(".")[0] in ("fc", "relu"):
                via_gradescope[t["name"]] = (t["status"] == "passed", t["score"])
        pl_root = tmp_path / "pl" / kind
        (pl_root / "student").mkdir(parents=True)
        for f in upload:
            (shutil.copytree if f.is_dir() else shutil.copy)(f, pl_root / "student" / f.name)
        pl = prairielearn.run(pl_root, course=COURSE.root)
        via_prairielearn = {t["name"]: (t["points"] == t["max_points"], t["points"]) for t in pl["tests"]
                            if t["name"].split(".")[0] in ("fc", "relu")}
        checks = {c[0]: (c[1], c[2]) for ex in expected.values() for c in ex[1]}
        assert via_grade == expected, kind
        assert via_batch == expected, kind
        assert via_gradescope == checks, kind
        assert pl["gradable"] is True and via_prairielearn == checks, kind


# ---------------------------------------------------------------------------
# Assignments: what a submission is read for


@pytest.mark.course
@pytest.mark.parametrize("assignment", [a.id for a in ASSIGNMENTS])
def test_does_an_assignment_read_its_own_exercises_alone(tmp_path, assignment):
    prepared = opened(REFERENCE, tmp_path, assignment=assignment, complete=True)
    assert list(prepared.files) == assignment_ids(assignment)
    assert chosen(prepared) == {i: EXERCISES[i].file for i in assignment_ids(assignment)}


@pytest.mark.course
def test_is_a_file_of_another_assignment_left_alone_and_named_when_nothing_else_is_there(tmp_path):
    if len(ASSIGNMENTS) < 2:
        pytest.skip("the course under test has one assignment")
    first, other = ASSIGNMENTS[0], ASSIGNMENTS[1]
    foreign = EXERCISES[other.exercises[0]].file
    sub = tmp_path / "sub"
    sub.mkdir()
    shutil.copy(REFERENCE / foreign, sub / foreign)
    with pytest.raises(SubmissionError, match=f"{foreign} is for assignment {other.id!r}: grade it with "
                                              f"--assignment {other.id}"):
        opened(sub, tmp_path, assignment=first.id)
    own = EXERCISES[first.exercises[0]].file
    shutil.copy(REFERENCE / own, sub / own)
    prepared = opened(sub, tmp_path, assignment=first.id, complete=True)
    assert {i: p for i, p in chosen(prepared).items() if p} == {first.exercises[0]: own}
    with pytest.raises(SubmissionError, match=f"in assignment {other.id!r}, not {first.id!r}"):
        opened(sub / foreign, tmp_path, assignment=first.id)
    assert api.grade(sub / foreign).assignment == other.id          # without --assignment: the file's own


@pytest.mark.course
def test_is_an_exercise_outside_the_assignment_a_usage_error(tmp_path):
    if len(ASSIGNMENTS) < 2:
        pytest.skip("the course under test has one assignment")
    first, other = ASSIGNMENTS[0], ASSIGNMENTS[1]
    with pytest.raises(UsageError, match=f"it is in assignment {other.id!r}: pass --assignment {other.id}"):
        opened(REFERENCE, tmp_path, assignment=first.id, exercise=other.exercises[0])
