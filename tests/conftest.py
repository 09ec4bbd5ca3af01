"""Shared test helpers: the course folder, submissions built from the reference, and grading them."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import api

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference"
TEMPLATE = ROOT / "student_template"
EXERCISE_FILES = {"fc": "fc.py", "relu": "relu.py", "scanning_mlp": "scanning_mlp.py", "logistic": "logistic.py"}


def reference_source(exercise_id: str) -> str:
    return (REFERENCE / EXERCISE_FILES[exercise_id]).read_text(encoding="utf-8")


def patch(source: str, old: str, new: str) -> str:
    """Replace `old` by `new`; `old` must occur exactly once (so a stale patch fails loudly)."""
    count = source.count(old)
    if count != 1:
        raise AssertionError(f"patch target occurs {count} times, expected once:\n{old}")
    return source.replace(old, new)


def write_submission(folder: Path, sources: dict[str, str]) -> Path:
    """Write {exercise id: source} as a submission folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for ex_id, text in sources.items():
        (folder / EXERCISE_FILES[ex_id]).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def grade_sources(tmp_path):
    """grade_sources({"fc": source, ...}, **grade_kwargs) -> Report, graded from a fresh folder."""
    counter = {"n": 0}

    def run(sources: dict[str, str], **kwargs):
        counter["n"] += 1
        folder = write_submission(tmp_path / f"submission{counter['n']}", sources)
        return api.grade(folder, **kwargs)

    return run


def checks_by_id(report) -> dict:
    return {c.id: c for e in report.exercises for c in e.checks}


def failing_ids(report) -> set[str]:
    return {c.id for e in report.exercises for c in e.checks if not c.passed}
