"""The diagnosis corpus: load its manifests and grade its submissions.

Layout: tests/corpus/<exercise>/{buggy,correct}/<name>.py and
tests/corpus/<exercise>/manifest.json:

    {"exercise": "relu",
     "buggy": [{"file": "buggy/x.py", "check": "relu.backward", "diagnosis": "wrong_mask", "bug": "..."}],
     "correct": [{"file": "correct/y.py", "style": "..."}]}

Each buggy file holds exactly one planted bug: `check` must fail and
`diagnosis` is the code the grader should name for it. Every correct file
must get full marks. Used by tests/test_corpus.py and bench/diagnosis.py.

tests/corpus_heldout/ has the same layout: bugs written by someone who did
not see the diagnosis engine's mutant library. The engine is never tuned
against them; their naming accuracy is reported separately.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader import api

CORPUS = Path(__file__).resolve().parent / "corpus"
#: Bugs written without sight of the mutant library, never tuned against: they measure generalisation.
HELDOUT = Path(__file__).resolve().parent / "corpus_heldout"


@dataclass(frozen=True)
class Entry:
    exercise: str
    path: Path
    kind: str            # "buggy" or "correct"
    check: str = ""
    diagnosis: str = ""
    bug: str = ""

    @property
    def name(self) -> str:
        return f"{self.exercise}/{self.kind}/{self.path.stem}"


@dataclass(frozen=True)
class Graded:
    entry: Entry
    score: float
    max_score: float
    failing: dict          # check id -> diagnosis codes

    @property
    def full_marks(self) -> bool:
        return self.score == self.max_score

    @property
    def caught(self) -> bool:
        return self.entry.check in self.failing and not self.full_marks

    @property
    def named(self) -> tuple[str, ...]:
        return tuple(self.failing.get(self.entry.check, ()))

    @property
    def diagnosed(self) -> bool:
        return self.entry.diagnosis in self.named


def load(root: Path = CORPUS) -> list[Entry]:
    entries = []
    for manifest in sorted(root.glob("*/manifest.json")):
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        folder = manifest.parent
        for item in doc.get("buggy", []):
            entries.append(Entry(doc["exercise"], folder / item["file"], "buggy", item["check"],
                                 item["diagnosis"], item.get("bug", "")))
        for item in doc.get("correct", []):
            entries.append(Entry(doc["exercise"], folder / item["file"], "correct", bug=item.get("style", "")))
    return entries


def grade(entry: Entry, mode: str = "instructor") -> Graded:
    report = api.grade(entry.path, exercise=entry.exercise, mode=mode)
    ex = report.exercises[0]
    failing = {c.id: c.diagnosis for c in ex.checks if not c.passed}
    return Graded(entry, ex.score, ex.max_score, failing)


def grade_all(entries: list[Entry], mode: str = "instructor", workers: int = 4) -> list[Graded]:
    """Grade entries concurrently (each grade runs its own worker processes)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda e: grade(e, mode), entries))
