"""A class's roster: which entry is which student, and the names of each student's output files.

SUBMISSIONS holds one entry per student. The student id is the entry's
name as given (without the extension of a .py, .ipynb or .zip file):
"José Müller", "_alice" and "a b" stay exactly that in every report and in
the gradebook. Ids are data, never file names: each student's outputs are
named by `output_stem`, which keeps a plain id as it is and otherwise
adds a digest of the exact id, so two different ids never share a file,
and no student's file can be named like a class-level output (summary,
gradebook…).

Entries are refused together, before grading, and reported by their
names when they would be the same student: two entries with the same id
(`alice/` and `alice.zip`), or ids whose output names differ only in case
(a case-insensitive file system would merge them). An entry that is a
symbolic link is refused: it could point at another student's work.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from grader.submissions import safe_read
from grader.errors import UsageError

#: Kinds of entry, by what it is on disk.
KINDS = ("folder", "py", "zip", "ipynb", "invalid")
#: Stems of class-level outputs (and names some systems reserve), never given to a student's files.
RESERVED = frozenset({"summary", "gradebook", "report", "index", "class", "roster", "con", "prn", "aux", "nul",
                      *(f"com{k}" for k in range(10)), *(f"lpt{k}" for k in range(10))})
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Entry:
    """One student's submission: the id, the entry's path, what it is, why it is refused ("" if not),
    and the stem of its output files (`output_stem` of the id; for entries refused because they
    collide, whose id is then the entry's own name, a digest of that name in a domain of its own)."""

    student: str
    path: Path
    kind: str
    problem: str = ""
    stem: str = ""


def output_stem(student: str, *, hashed: bool = False) -> str:
    """The file name stem of a student's outputs: the id itself when it is plain, else a slug and a digest.

    Plain: ASCII letters, digits, '.', '_' and '-', starting with a letter or
    digit, at most 100 characters, not ending in ".tmp", and not a reserved
    name. Anything else (or hashed=True) gives "<slug>~<12 hex digits of
    SHA-256 of the id>", where '~' never occurs in a plain id.
    """
    plain = (_PLAIN.fullmatch(student) is not None and student.lower() not in RESERVED
             and not student.lower().endswith(".tmp"))
    if plain and not hashed:
        return student
    slug = _UNSAFE.sub("_", student).strip("._-")[:60] or "student"
    return f"{slug}~{hashlib.sha256(student.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"


def _classify(name: str, k: str) -> tuple[str, str, str]:
    """(kind, student id, problem) of one entry of SUBMISSIONS: the id is the name without a file's extension."""
    suffix = Path(name).suffix
    student = name[: -len(suffix)] if suffix and k != "dir" and name != suffix else name
    if k == "link":
        return "invalid", student, f"{name} is a symbolic link; entries must be the student's own folders or files"
    if k == "dir":
        return "folder", name, ""
    if k == "file" and suffix in (".py", ".zip", ".ipynb"):
        return suffix[1:], student, ""
    return "invalid", student, f"{name} is not a folder, .py, .zip or .ipynb file"


def discover(submissions: Path) -> list[Entry]:
    """The class's entries, sorted by student id; colliding entries come back refused, by name.

    Refusals are repeated until none is added: an entry whose id (or whose
    output name, ignoring case) is shared with any other entry is refused
    with all those it collides with, and takes its own name as its id.
    """
    if not submissions.is_dir():
        raise UsageError(f"{submissions} is not a folder of submissions")
    raw: list[tuple[str, Path, str, str]] = []     # (id, path, kind, problem)
    for name, k in safe_read.entries(submissions):
        if name.startswith(".") or name == "__MACOSX":
            continue
        kind, student, problem = _classify(name, k)
        raw.append((student, submissions / name, kind, problem))
    collided: dict[str, str] = {}                   # entry name -> why

    def current() -> list[Entry]:
        out = []
        for sid, p, kind, problem in raw:
            if p.name in collided:
                out.append(Entry(p.name, p, "invalid", collided[p.name],
                                 output_stem("refused entry: " + p.name, hashed=True)))
            else:
                out.append(Entry(sid, p, kind, problem, output_stem(sid)))
        return out

    while True:
        entries = current()
        groups: dict[tuple[str, str], list[Entry]] = {}
        for e in entries:
            groups.setdefault(("id", e.student), []).append(e)
            groups.setdefault(("file", e.stem.casefold()), []).append(e)
        added = False
        for (what, _), group in groups.items():
            if len(group) < 2:
                continue
            names = " and ".join(repr(e.path.name) for e in group)
            why = (f"entries {names} would be the same student; keep one of them and grade again" if what == "id"
                   else f"entries {names} differ only in upper and lower case, so their result files would be the "
                        f"same on some systems; rename one and grade again")
            for e in group:
                if e.path.name not in collided:
                    collided[e.path.name] = why
                    added = True
        if not added:
            return sorted(entries, key=lambda e: (e.student, e.path.name))
