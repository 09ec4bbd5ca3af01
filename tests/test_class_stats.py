"""Questions about the class statistics (grader.outputs.class_stats), on reports built in code."""

from __future__ import annotations

import random

from grader.outputs.class_stats import NOT_MISCONCEPTIONS, class_stats

#: A two-exercise course: check ids per exercise, one point each.
COURSE = {"fc": ("fc.forward", "fc.backward.dx", "fc.backward.dW"), "relu": ("relu.forward", "relu.backward")}
MAX = 5


def doc(student: str, verdicts: dict | None = None, *, status: dict | None = None, messages: dict | None = None
        ) -> dict:
    """A per-student report like `grade --json` writes: every check passes unless verdicts[check] gives its
    diagnosis codes; status[exercise] sets a status (default "graded"), messages[exercise] a message."""
    verdicts, status, messages = verdicts or {}, status or {}, messages or {}
    exercises = []
    for eid, checks in COURSE.items():
        rows = [{"id": cid, "title": f"what {cid} checks", "passed": cid not in verdicts,
                 "score": 0.0 if cid in verdicts else 1.0, "max_score": 1.0, "diagnosis": list(verdicts.get(cid, ())),
                 "message": "", "hint": "", "max_rel_error": None, "cases": []} for cid in checks]
        exercises.append({"id": eid, "title": eid, "status": status.get(eid, "graded"),
                          "score": sum(r["score"] for r in rows), "max_score": float(len(rows)),
                          "file": f"{eid}.py", "message": messages.get(eid, ""), "cases": {}, "checks": rows})
    return {"schema_version": 1, "submission": student, "mode": "instructor", "isolation": ["process"],
            "score": sum(e["score"] for e in exercises), "max_score": float(MAX), "notes": [],
            "exercises": exercises}


def stub(student: str) -> dict:
    """A student who handed in the stubs: every check fails with not_implemented."""
    return doc(student, {cid: ("not_implemented",) for checks in COURSE.values() for cid in checks})


def unreadable(student: str) -> dict:
    """What the batch writes for an entry it could not read: every exercise "error", every check "missing"."""
    reason = "the submission could not be read: x.zip is not a readable zip file"
    return doc(student, {cid: ("missing",) for checks in COURSE.values() for cid in checks},
               status={eid: "error" for eid in COURSE}, messages={eid: reason for eid in COURSE})


def hung(student: str) -> dict:
    """A student whose relu never finishes: relu timed out, every relu check failed with timeout."""
    return doc(student, {"relu.forward": ("timeout",), "relu.backward": ("timeout",)}, status={"relu": "timeout"},
               messages={"relu": "stopped: the time limit of 2 s was reached"})


def missing_relu(student: str) -> dict:
    return doc(student, {"relu.forward": ("missing",), "relu.backward": ("missing",)}, status={"relu": "missing"},
               messages={"relu": "relu.py was not found in the submission"})


def stats_of(docs: dict, **kwargs):
    return class_stats(((sid, f"stem-{k}", d) for k, (sid, d) in enumerate(docs.items())), max_score=MAX, **kwargs)


def codes_of(rows) -> dict:
    return {d.code: d.students for d in rows}


def test_does_a_stub_only_student_count_once_per_code():
    stats = stats_of({"s1": stub("s1"), "s2": stub("s2"), "ok": doc("ok")})
    counted = {d.code: d for d in stats.diagnoses}
    assert counted["not_implemented"].students == 2
    assert dict(counted["not_implemented"].by_exercise) == {"fc": 2, "relu": 2}
    assert counted["not_implemented"].checks == 10                # the old per-check count, kept apart
    assert counted["not_implemented"].percent == round(100 * 2 / 3, 1)


def test_are_not_implemented_missing_and_timeout_left_out_of_reteach():
    stats = stats_of({"stub": stub("stub"), "hang": hung("hang"), "gone": missing_relu("gone"),
                      "misnamed": doc("misnamed", {"fc.backward.dW": ("missing",)}),
                      "mask": doc("mask", {"relu.backward": ("wrong_mask",)})})
    assert codes_of(stats.reteach) == {"wrong_mask": 1}
    assert codes_of(stats.other_codes) == {"not_implemented": 1, "timeout": 1, "missing": 1}
    assert {"not_implemented", "missing", "timeout", "crashed", "memory", "forbidden"} == NOT_MISCONCEPTIONS
    assert not any(s.reteach for s in stats.sightings if s.code in NOT_MISCONCEPTIONS)


def test_does_reteach_hold_every_code_that_occurred_not_only_the_most_common():
    many = ["wrong_mask", "sign_flipped", "sigmoid_derivative", "layout_transposed", "scaled", "zero",
            "overwrote_accumulation", "window_offset", "stale_cache", "label_ignored", "wrong_shape"]
    docs = {f"stub{k}": stub(f"stub{k}") for k in range(30)}
    docs.update({f"s{k:02d}": doc(f"s{k:02d}", {"relu.backward": (code,)}) for k, code in enumerate(many)})
    stats = stats_of(docs)
    assert set(codes_of(stats.reteach)) == set(many)
    assert all(d.students == 1 for d in stats.reteach)
    assert [d.code for d in stats.reteach] == sorted(many)        # ties broken by code: a fixed order


def test_do_errors_statuses_and_not_graded_use_one_definition():
    partial = doc("partial", {cid: ("crashed",) for cid in COURSE["fc"]}, status={"fc": "error"},
                  messages={"fc": "fc.py could not be imported: ValueError: oops (line 1)"})
    stats = stats_of({"a": unreadable("a"), "b": unreadable("b"), "partial": partial, "gone": None,
                      "ok": doc("ok")})
    assert stats.errors == stats.statuses["error"] == len(stats.not_graded) == 3
    assert {a.student for a in stats.not_graded} == {"a", "b", "gone"}
    assert stats.statuses == {"crashed": 1, "error": 3, "graded": 1}
    assert stats.graded == 2 and stats.totals == (5.0, 2.0)         # "ok", then "partial": id order
    assert sum(b.students for b in stats.histogram) == stats.graded
    assert all(c.students == 2 for c in stats.checks)
    assert "missing" not in codes_of(stats.diagnoses)             # unreadable entries add no diagnosis
    crashed = next(a for a in stats.attention if a.kind == "crashed")
    assert crashed.student == "partial" and crashed.exercises == ("fc",) and "ValueError: oops" in crashed.reason


def test_does_the_attention_list_name_each_student_by_id_with_what_to_do():
    ids = {"José Müller": hung("José Müller"), "王小明": unreadable("王小明"),
           "<script>alert(1)</script>\n\x1b[2J": hung("x"), "ok": doc("ok")}
    stats = class_stats([(sid, f"stem{k}", d) for k, (sid, d) in enumerate(ids.items())], max_score=MAX)
    rows = {a.student: a for a in stats.attention}
    assert set(rows) == set(ids) - {"ok"}
    assert [a.kind for a in stats.attention] == ["error", "timeout", "timeout"]
    assert rows["王小明"].todo.startswith("fix what the reason names") and "stem1.txt" in rows["王小明"].todo
    assert "x.zip is not a readable zip file" in rows["王小明"].reason
    timeout = rows["José Müller"]
    assert timeout.exercises == ("relu",) and "--timeout" in timeout.todo and "stem0.txt" in timeout.todo
    assert all("\n" not in a.reason and "\n" not in a.todo for a in stats.attention)


def test_is_the_result_the_same_whatever_order_the_students_come_in():
    docs = [("b", "b", stub("b")), ("a", "a", hung("a")), ("c", "c", doc("c", {"fc.forward": ("scaled",)})),
            ("d", "d", unreadable("d")), ("e", "e", doc("e", {"fc.forward": ("scaled", "wrong_value")}))]
    first = class_stats(docs, max_score=MAX)
    for seed in range(5):
        shuffled = list(docs)
        random.Random(seed).shuffle(shuffled)
        assert class_stats(shuffled, max_score=MAX) == first
    assert [s.id for s in first.students] == ["a", "b", "c", "d", "e"]


def test_is_a_check_pass_rate_the_graded_students_who_passed_it():
    stats = stats_of({"ok": doc("ok"), "gone": missing_relu("gone"), "bad": doc("bad", {"relu.forward": ("zero",)}),
                      "unread": unreadable("unread")})
    rate = {c.check: c for c in stats.checks}
    assert [c.check for c in stats.checks] == [cid for checks in COURSE.values() for cid in checks]
    assert (rate["relu.forward"].passed, rate["relu.forward"].students) == (1, 3)
    assert rate["relu.forward"].percent == 33.3
    assert rate["relu.forward"].failed == 1                       # "gone" did not hand relu in
    assert rate["fc.forward"].percent == 100.0
    assert dict(dict(stats.exercise_statuses)["relu"]) == {"graded": 2, "missing": 1}


def test_does_an_empty_class_give_empty_statistics():
    stats = class_stats([], max_score=MAX)
    assert stats.graded == stats.errors == 0 and stats.mean is None and stats.median is None
    assert sum(b.students for b in stats.histogram) == 0 and stats.attention == ()
