"""Questions about the diagnosis corpus: is every planted bug caught and named, and no correct code failed?"""

from __future__ import annotations

import pytest

import corpus_runner
from conftest import BUNDLED, EXERCISES, needs

#: The corpus of the exercises the course under test has (GRADE_COURSE may name a course without some).
ENTRIES = [e for e in corpus_runner.load() if e.exercise in EXERCISES]
BUGGY = [e for e in ENTRIES if e.kind == "buggy"]
CORRECT = [e for e in ENTRIES if e.kind == "correct"]


@pytest.fixture(scope="module", params=["instructor", "student"])
def graded(request):
    if not BUGGY:
        pytest.skip("the course under test has no exercise with a diagnosis corpus in tests/corpus")
    return {g.entry.name: g for g in corpus_runner.grade_all(ENTRIES, mode=request.param)}, request.param


@needs(*BUNDLED)
def test_is_the_corpus_as_large_as_promised():
    assert len(BUGGY) >= 80 and len(CORRECT) >= 25
    folders = {p.name for p in corpus_runner.CORPUS.iterdir() if (p / "manifest.json").is_file()}
    assert {e.exercise for e in BUGGY} == {e.exercise for e in CORRECT} == folders & set(EXERCISES)
    assert set(BUNDLED) <= folders


def test_does_every_manifest_entry_name_an_existing_file_check_and_code():
    from grader import api
    from grader.judging.diagnosis import ALL_CODES

    checks = {c.id for ex in api.list_exercises() for c in ex.checks}
    for e in ENTRIES:
        assert e.path.is_file(), e.path
        if e.kind == "buggy":
            assert e.check in checks, (e.name, e.check)
            assert e.diagnosis in ALL_CODES, (e.name, e.diagnosis)


def test_is_every_planted_bug_caught_by_its_check(graded):
    results, mode = graded
    missed = [(e.name, e.check, results[e.name].failing) for e in BUGGY if not results[e.name].caught]
    assert missed == [], f"{mode} mode: bugs not caught by their check: {missed}"


def test_does_no_correct_submission_lose_a_point(graded):
    results, mode = graded
    lost = [(e.name, results[e.name].failing) for e in CORRECT if not results[e.name].full_marks]
    assert lost == [], f"{mode} mode: correct submissions that lost points: {lost}"


def test_is_the_named_diagnosis_right_for_at_least_90_percent_of_bugs(graded):
    results, mode = graded
    right = [e for e in BUGGY if results[e.name].diagnosed]
    wrong = [(e.name, e.diagnosis, results[e.name].named) for e in BUGGY if not results[e.name].diagnosed]
    accuracy = len(right) / len(BUGGY)
    assert accuracy >= 0.90, f"{mode} mode: diagnosis accuracy {accuracy:.1%}; misnamed: {wrong}"


@needs(*BUNDLED)
def test_is_every_held_out_bug_caught():
    """The held-out bugs measure naming (reported by bench/diagnosis.py); here only that they are caught."""
    held = [e for e in corpus_runner.load(corpus_runner.HELDOUT) if e.exercise in EXERCISES]
    assert len(held) >= 40
    missed = [(g.entry.name, g.failing) for g in corpus_runner.grade_all(held) if not g.caught]
    assert missed == []
