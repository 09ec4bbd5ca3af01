"""What a batch result was made from: the submission's content and the grading options.

Each per-student JSON of `grade batch` records `graded_with`:
    {"content": "<SHA-256 of the entry>", "options": "<SHA-256 of the options and the course>"}
A rerun compares both with the entry and options of this run, and grades
again exactly the students whose files changed or whose report was made
under other options (or by another course version), never reusing it.

`content_digest` reads an entry the way the grader does (`grader.submissions.safe_read`:
no link followed): a file's bytes, or for a folder every real file below
it, each with its relative path, in sorted order; a link or special file
counts by its name and kind only. Reading stops at MAX_BYTES (the digest
then also covers the total size and modification times beyond it).

`options_digest` covers every option that changes a verdict (the
assignment, timeout, mode, salt, execute_all, the OS layers requested,
allow_root), the grader's own source, and the course's exercises, reference
and course.toml (their files' bytes), so a fixed reference, a new checks.py
or an exercise moved to another assignment regrades the class. The
salt enters only through the digest, so no report ever shows it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from grader.submissions import safe_read
from grader.errors import SubmissionError

#: Most bytes read to fingerprint one entry; beyond it sizes and times stand in for content.
MAX_BYTES = 64 << 20
#: Folders never part of what is graded.
_SKIPPED = ("__pycache__", ".ipynb_checkpoints")


def content_digest(path: str | os.PathLike) -> str:
    """SHA-256 (hex) of a submission entry: a file, or a folder and everything below it."""
    h = hashlib.sha256()
    budget = [MAX_BYTES]

    def add_file(p: Path, rel: str) -> None:
        h.update(b"F" + rel.encode("utf-8", "surrogateescape") + b"\0")
        if budget[0] > 0:
            try:
                data = safe_read.read_bytes(p, limit=budget[0])
            except SubmissionError:
                st = os.lstat(p)
                h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())
                budget[0] = 0
                return
            budget[0] -= len(data)
            h.update(len(data).to_bytes(8, "little") + data)
        else:
            st = os.lstat(p)
            h.update(f"{st.st_size}:{st.st_mtime_ns}".encode())

    p = Path(path)
    kind = safe_read.kind(p)
    if kind == "file":
        add_file(p, p.name)
        return h.hexdigest()
    if kind != "dir":
        h.update(f"{kind}:{p.name}".encode("utf-8", "surrogateescape"))
        return h.hexdigest()
    stack = [(p, "")]
    while stack:
        folder, prefix = stack.pop()
        for name, k in sorted(safe_read.entries(folder), reverse=True):
            rel = f"{prefix}{name}"
            if k == "dir":
                if name not in _SKIPPED:
                    h.update(b"D" + rel.encode("utf-8", "surrogateescape") + b"\0")
                    stack.append((folder / name, rel + "/"))
            elif k == "file":
                add_file(folder / name, rel)
            else:
                h.update(f"{k}:".encode() + rel.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def _tree_digest(folder: Path, suffixes: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    if folder.is_dir():
        for f in sorted(folder.rglob("*")):
            if f.is_file() and f.suffix in suffixes and "__pycache__" not in f.parts:
                h.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def options_digest(options: dict, course) -> str:
    """SHA-256 (hex) of the grading options and the course they grade against.

    options: the batch's options (JSON-able; includes the salt); course: a
    `grader.authoring.course.Course`.
    """
    course_file = Path(course.root) / "course.toml"
    doc = {"options": options, "grader": _tree_digest(Path(__file__).resolve().parents[1], (".py", ".toml")),
           "exercises": _tree_digest(course.exercises_dir, (".py", ".json")),
           "reference": _tree_digest(course.reference_dir, (".py",)),
           "assignments": hashlib.sha256(course_file.read_bytes()).hexdigest() if course_file.is_file() else ""}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=True).encode()).hexdigest()
