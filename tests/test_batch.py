"""Questions about grading a class (grader.batch)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader import api, batch
from grader.isolation import sandbox
from grader.errors import UsageError

from conftest import (BUGGY, EXERCISES, REFERENCE, TEMPLATE, assignment_ids, check_ids, course_total, default_pair,
                      exercise_points, has, lms_grade, needs_bundled, BUNDLED)

#: Every test here grades a class made from the course under test (`make_class`).
pytestmark = pytest.mark.course


def make_class(folder: Path, n_honest: int = 3) -> Path:
    """A small class from the course's default assignment, whose first two exercises are A and B:
    honest folders (the reference), the example with typical mistakes (when the course has the
    bundled exercises), A's stub as a single file, a zip of A and B, a student whose A hangs, junk."""
    a, b = default_pair()
    folder.mkdir(parents=True)
    for k in range(n_honest):
        shutil.copytree(REFERENCE, folder / f"ref{k}", ignore=shutil.ignore_patterns("mutants"))
    if has(*BUNDLED):
        shutil.copytree(BUGGY, folder / "buggy")
    shutil.copy(TEMPLATE / EXERCISES[a].file, folder / "stub.py")
    with zipfile.ZipFile(folder / "zipped.zip", "w") as zf:
        for f in (EXERCISES[a].file, EXERCISES[b].file):
            zf.write(REFERENCE / f, f"homework/{f}")
    hang = folder / "hang"
    hang.mkdir()
    (hang / EXERCISES[a].file).write_text("import time\nwhile True:\n    time.sleep(0.05)\n")
    (folder / "notes.txt").write_text("not a submission")
    return folder


def statuses(doc: dict) -> dict:
    return {e["id"]: e["status"] for e in doc["exercises"]}


def top_level_names(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("batch")
    subs = make_class(base / "class")
    out = base / "out"
    result = api.batch(subs, out=out, jobs=2, timeout=3)
    return subs, out, result


def test_are_entries_found_with_their_ids_and_kinds(tmp_path):
    subs = make_class(tmp_path / "c", n_honest=2)
    (subs / "ref0.zip").write_bytes(b"duplicate id")
    entries = {e.student: e for e in batch.discover(subs)}
    assert entries["ref1"].kind == "folder" and entries["stub"].kind == "py"
    assert entries["zipped"].kind == "zip" and entries["notes"].kind == "invalid"
    both = [entries["ref0"], entries["ref0.zip"]]
    assert all(e.kind == "invalid" and "'ref0' and 'ref0.zip'" in e.problem for e in both)
    assert both[0].stem != both[1].stem and "ref0" not in {e.stem for e in entries.values()}


def test_does_every_student_get_a_report_and_the_honest_ones_full_marks(graded_class):
    subs, out, result = graded_class
    stems = {e.stem for e in batch.discover(subs)}
    assert result.students == len(stems) and result.graded == len(stems)
    for stem in stems:
        assert (out / f"{stem}.json").is_file() and (out / f"{stem}.txt").is_file()
    ids = assignment_ids()
    a, b = default_pair()
    for k in range(3):
        doc = json.loads((out / f"ref{k}.json").read_text())
        assert doc["score"] == doc["max_score"] == course_total() and doc["submission"] == f"ref{k}"
        assert [e["id"] for e in doc["exercises"]] == ids
    zipped = json.loads((out / "zipped.json").read_text())
    assert statuses(zipped) == {i: "graded" if i in (a, b) else "missing" for i in ids}
    assert zipped["score"] == exercise_points(a) + exercise_points(b)
    hang = json.loads((out / "hang.json").read_text())
    assert statuses(hang)[a] == "timeout"
    notes = json.loads((out / "notes.json").read_text())
    assert [e["id"] for e in notes["exercises"]] == ids and all(e["status"] == "error" for e in notes["exercises"])
    if has(*BUNDLED):
        assert "ANSI" not in (out / "buggy.txt").read_text() and "\x1b[" not in (out / "buggy.txt").read_text()


def test_does_a_single_file_count_only_for_the_exercises_it_defines(graded_class):
    _, out, _ = graded_class
    a = assignment_ids()[0]
    defined = top_level_names(TEMPLATE / EXERCISES[a].file)
    stub = json.loads((out / "stub.json").read_text())
    expected = {i: "graded" if defined & EXERCISES[i].entry_names else "missing" for i in assignment_ids()}
    assert expected[a] == "graded" and statuses(stub) == expected


def test_does_the_gradebook_have_a_points_row_and_one_row_per_student(graded_class):
    subs, out, _ = graded_class
    rows = list(csv.reader((out / "gradebook.csv").open()))
    ids = assignment_ids()
    header = ["student", "total"] + ids + check_ids() + ["status"]
    assert rows[0] == header
    points = {c.id: c.points for i in ids for c in EXERCISES[i].checks}
    assert rows[1] == (["points possible", f"{course_total():g}"] + [f"{exercise_points(i):g}" for i in ids]
                       + [f"{points[c]:g}" for c in check_ids()] + [""])
    students = [r[0] for r in rows[2:]]
    assert students == sorted(e.student for e in batch.discover(subs))
    ref = next(r for r in rows if r[0] == "ref0")
    assert ref[1] == f"{course_total():g}" and ref[-1] == "graded"


def test_does_the_summary_name_the_failing_checks_and_misconceptions(graded_class):
    _, out, _ = graded_class
    s = json.loads((out / "summary.json").read_text())
    assert s["schema_version"] == 1 and s["max_score"] == course_total()
    assert s["assignment"]["id"] == api.assignments()[0].id
    assert sum(b["students"] for b in s["histogram"]) == s["graded"]
    codes = {row["code"]: row for row in s["most_common_diagnoses"]}
    assert codes["not_implemented"]["students"] == 1 and codes["timeout"]["students"] == 1   # per student
    reteach = {row["code"] for row in s["reteach"]}
    assert not reteach & {"not_implemented", "missing", "timeout"}
    assert s["isolation"]["layers"][0] == "process"


@needs_bundled
def test_does_the_summary_name_the_misconceptions_of_the_bundled_example(graded_class):
    _, out, _ = graded_class
    s = json.loads((out / "summary.json").read_text())
    failed = {row["check"] for row in s["most_failed_checks"]}
    assert "fc.backward.dW" in failed
    codes = {row["code"]: row for row in s["most_common_diagnoses"]}
    assert {"layout_transposed", "overwrote_accumulation", "timeout"} <= set(codes)
    reteach = {row["code"] for row in s["reteach"]}
    assert {"layout_transposed", "overwrote_accumulation"} <= reteach
    rates = {row["check"]: row for row in s["check_pass_rates"]}
    assert rates["fc.backward.dW"]["passed"] < s["graded"]


def test_do_the_class_files_agree_on_who_could_not_be_graded_and_who_needs_attention(graded_class):
    _, out, _ = graded_class
    s = json.loads((out / "summary.json").read_text())
    assert s["errors"] == s["statuses"]["error"] == len(s["not_graded"]) == 1
    assert s["graded"] + s["errors"] == s["students"]
    attention = {(row["student"], row["kind"]) for row in s["attention"]}
    assert attention == {("notes", "error"), ("hang", "timeout")}
    rows = {r[0]: r[-1] for r in csv.reader((out / "gradebook.csv").open())}
    assert rows["notes"] == "error" and rows["hang"] == "timeout"
    rates = {row["check"]: row for row in s["check_pass_rates"]}
    assert list(rates) == check_ids() and all(row["students"] == s["graded"] for row in rates.values())
    assert 'href="./hang.txt"' in (out / "report.html").read_text(encoding="utf-8")


def test_does_a_rerun_skip_graded_students_and_regrade_redo_them(graded_class):
    subs, out, first = graded_class
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = api.batch(subs, out=out, jobs=2, timeout=3)
    assert again.graded == 0 and again.resumed == first.students
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    redo = api.batch(subs, out=out, jobs=1, timeout=3, regrade=True)
    assert redo.graded == first.students
    assert {p.name: slot_free(p.read_bytes()) for p in out.iterdir() if p.suffix == ".json"} == \
        {k: slot_free(v) for k, v in before.items() if k.endswith(".json")}


def test_is_changed_work_or_a_change_of_options_graded_again_on_rerun(tmp_path):
    a = assignment_ids()[0]
    file = EXERCISES[a].file
    subs = tmp_path / "class"
    for name, source in (("ann", REFERENCE / file), ("bob", TEMPLATE / file), ("cid", TEMPLATE / file)):
        (subs / name).mkdir(parents=True)
        shutil.copy(source, subs / name / file)
    out = tmp_path / "out"
    first = api.batch(subs, out=out, jobs=2, timeout=5)
    assert first.graded == 3 and first.changed == 0
    bob = json.loads((out / "bob.json").read_text())
    assert bob["graded_with"]["content"] and bob["graded_with"]["options"]

    shutil.copy(REFERENCE / file, subs / "bob" / file)          # bob resubmits a finished file
    second = api.batch(subs, out=out, jobs=2, timeout=5)
    assert (second.graded, second.changed, second.resumed) == (1, 1, 2)
    assert json.loads((out / "bob.json").read_text())["score"] == exercise_points(a) > bob["score"] == 0

    (subs / "cid" / "notes.txt").write_text("a file added next to the code")   # any change counts
    assert api.batch(subs, out=out, jobs=2, timeout=5).changed == 1
    for options in ({"salt": "other"}, {"mode": "student"}, {"timeout": 6}):
        rerun = api.batch(subs, out=out, jobs=2, **{"timeout": 5, **options})
        assert (rerun.graded, rerun.changed) == (3, 3), options
    unchanged = api.batch(subs, out=out, jobs=2, timeout=6)
    assert (unchanged.graded, unchanged.changed) == (0, 0)


def test_does_every_student_keep_their_own_name_and_grade_through_to_the_lms_files(tmp_path):
    a, b = default_pair()
    fa, fb = EXERCISES[a].file, EXERCISES[b].file
    subs = tmp_path / "class"
    for name, sources in (("a b", [REFERENCE / fa]), ("a_b", [TEMPLATE / fa]),
                          ("José Müller", [REFERENCE / fb, TEMPLATE / fa]), ("=cmd", [REFERENCE / fa])):
        (subs / name).mkdir(parents=True)
        for source in sources:
            shutil.copy(source, subs / name / source.name)
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffStudent,LMS ID,Name\na b,ab001,Ann Berg\na_b,ab002,Al Bo\n"
                      "José Müller,jm003,José Müller\nzoe,zz004,Zoe Zed\n", encoding="utf-8")
    out = tmp_path / "out"
    result = api.batch(subs, out=out, jobs=2, timeout=5, roster=roster, points=100, column="HW1")
    summary = json.loads((out / "summary.json").read_text())
    scores = {sid: json.loads((out / f"{stem}.json").read_text()) for sid, stem in summary["files"].items()}
    assert {sid: doc["submission"] for sid, doc in scores.items()} == {sid: sid for sid in scores}
    pa, total = exercise_points(a), course_total()
    assert (scores["a b"]["score"], scores["a_b"]["score"]) == (pa, 0)
    assert scores["José Müller"]["score"] == exercise_points(b)
    rows = {r[0]: r for r in csv.reader((out / "gradebook.csv").open(encoding="utf-8"))}
    assert rows["a b"][1] == f"{pa:g}" and rows["a_b"][1] == "0" and "'=cmd" in rows
    canvas = list(csv.reader((out / "gradebook-canvas.csv").open(encoding="utf-8-sig")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "HW1"]
    graded = {r[3]: r[5] for r in canvas[2:]}
    assert graded["ab001"] == lms_grade(pa, total, 100) and graded["ab002"] == "0"
    assert graded["jm003"] == lms_grade(exercise_points(b), total, 100)
    assert graded["zz004"] == ""                                      # no submission: the LMS keeps its grade
    assert [r["student"] for r in summary["lms"]["no_submission"]] == ["zoe"]
    assert summary["lms"]["not_in_roster"] == ["=cmd"]
    assert result.students == 4


def test_is_a_bad_roster_refused_before_anyone_is_graded(tmp_path):
    subs = tmp_path / "class"
    (subs / "ann").mkdir(parents=True)
    file = EXERCISES[assignment_ids()[0]].file
    shutil.copy(REFERENCE / file, subs / "ann" / file)
    roster = tmp_path / "roster.csv"
    roster.write_text("student,lms_id\nann,a1\nann,a2\n")
    with pytest.raises(UsageError, match="roster.csv, line 3"):
        api.batch(subs, out=tmp_path / "out", jobs=1, timeout=5, roster=roster)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def slot_free(data: bytes) -> bytes:
    """A per-student JSON without `worker_uid`, the one field that names the slot that graded the student."""
    doc = json.loads(data)
    uid = doc.pop("worker_uid", None)
    if os.geteuid() == 0:
        assert uid is None or uid > sandbox.WORKER_UID_BASE, uid     # None: no worker ran (unreadable entry)
    return json.dumps(doc, sort_keys=True).encode()


def test_is_the_json_identical_whatever_the_number_of_jobs(tmp_path):
    subs = make_class(tmp_path / "c", n_honest=1)
    one = api.batch(subs, out=tmp_path / "one", jobs=1, timeout=3)
    two = api.batch(subs, out=tmp_path / "two", jobs=3, timeout=3)
    names = sorted(p.name for p in one.out.iterdir())
    assert names == sorted(p.name for p in two.out.iterdir())
    for name in names:
        if name.endswith(".csv"):
            assert (one.out / name).read_bytes() == (two.out / name).read_bytes(), name
        elif name.endswith(".json"):
            assert slot_free((one.out / name).read_bytes()) == slot_free((two.out / name).read_bytes()), name


def test_does_a_batch_killed_with_sigkill_finish_on_rerun_with_nobody_lost(tmp_path):
    subs = make_class(tmp_path / "c", n_honest=6)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "grader", "batch", str(subs), "--out", str(out), "--jobs", "2",
           "--timeout", "3"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.json"))) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = {p.name for p in out.glob("*.json")}
    assert partial, "the batch was killed before anyone was graded"
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    students = {e.student for e in batch.discover(subs)}
    assert {p.stem for p in out.glob("*.json") if p.stem != "summary"} == students
    assert not list(out.glob("*.tmp"))
    for sid in students:
        json.loads((out / f"{sid}.json").read_text())            # every file complete
    rows = list(csv.reader((out / "gradebook.csv").open()))[2:]
    assert sorted(r[0] for r in rows) == sorted(students)       # nobody twice, nobody lost


def _descendants(pid: int) -> set[int]:
    """pid and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parent = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, stack = set(), [pid]
    while stack:
        p = stack.pop()
        found.add(p)
        stack += children.get(p, [])
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM", "SIGHUP", "Ctrl-C"])
def test_does_nothing_outlive_a_batch_stopped_midway(tmp_path, how):
    """The main process alone is killed (Ctrl-C: the terminal signals the whole group) while slots,
    fork servers and workers are busy; no process and no temporary folder may be left."""
    subs = tmp_path / "class"
    file = EXERCISES[assignment_ids()[0]].file
    for k in range(6):
        (subs / f"s{k}").mkdir(parents=True)
        (subs / f"s{k}" / file).write_text("import time\nwhile True:\n    time.sleep(0.05)\n")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    cmd = [sys.executable, "-m", "grader", "batch", str(subs), "--out", str(tmp_path / "out"), "--jobs", "2",
           "--timeout", "30"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, "TMPDIR": str(tmp)})
    seen: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(seen) < 8:       # main, tracker, 2 slots, fork servers, workers
        seen |= _descendants(proc.pid)
        time.sleep(0.1)
    time.sleep(1.0)
    seen |= _descendants(proc.pid)
    assert len(seen) >= 8 and len(list(tmp.iterdir())) == 2, (seen, list(tmp.iterdir()))
    if how == "Ctrl-C":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, getattr(signal, how))
    proc.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and ([p for p in seen if _alive(p)] or list(tmp.iterdir())):
        time.sleep(0.1)
    assert not [p for p in seen if _alive(p)]
    assert not list(tmp.iterdir())
    if how != "SIGKILL":
        assert proc.returncode == 130 and "interrupted" in proc.stderr.read().decode()


def test_does_a_finished_batch_leave_no_temporary_folder(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    subs = make_class(tmp_path / "class", n_honest=1)
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(subs), "--out", str(tmp_path / "out"),
                           "--jobs", "2", "--timeout", "3"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TMPDIR": str(tmp)})
    assert done.returncode == 0, done.stderr
    assert list(tmp.iterdir()) == []


def test_does_the_batch_refuse_to_start_below_the_required_isolation(tmp_path, capsys):
    from grader.cli import main

    subs = make_class(tmp_path / "c", n_honest=1)
    code = main(["batch", str(subs), "--out", str(tmp_path / "o"), "--min-isolation", "uid"])
    err = capsys.readouterr().err
    if os.geteuid() == 0 and "uid" not in err:
        pytest.skip("this machine can drop to a slot uid, so the uid level is reached")
    assert code == 2 and "isolation level 'uid' is not available" in err
    assert not (tmp_path / "o" / "gradebook.csv").exists()


def test_is_a_missing_submissions_folder_a_usage_error(tmp_path, capsys):
    from grader.cli import main

    assert main(["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_do_slots_start_with_single_threaded_blas_unless_the_caller_chose(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    with batch._single_threaded_blas():
        inside = {name: os.environ.get(name) for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    assert inside == {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "3"}
    assert "OPENBLAS_NUM_THREADS" not in os.environ and os.environ["OMP_NUM_THREADS"] == "3"


def test_can_one_os_layer_be_requested_alone_and_is_a_wrong_name_refused():
    assert batch.requested_layers(True) == {"namespaces": True, "landlock": True, "seccomp": True}
    assert batch.requested_layers(False) is None and batch.requested_layers([]) is None
    assert batch.requested_layers(["seccomp"]) == {"namespaces": False, "landlock": False, "seccomp": True}
    with pytest.raises(UsageError, match="unknown isolation layer"):
        batch.requested_layers(["landlok"])


def test_does_a_batch_with_only_seccomp_report_only_that_os_layer(tmp_path):
    subs = tmp_path / "c"
    subs.mkdir()
    shutil.copytree(REFERENCE, subs / "ref", ignore=shutil.ignore_patterns("mutants"))
    result = api.batch(subs, out=tmp_path / "o", jobs=1, isolation=["seccomp"])
    layers = set(result.summary["isolation"]["layers"])
    assert "namespaces" not in layers and not any(x.startswith("landlock") for x in layers)
    if "seccomp" not in result.summary["isolation"]["skipped"]:
        assert "seccomp" in layers
