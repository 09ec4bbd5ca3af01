"""Writing an output file so that a reader never sees half of it: a temporary name, then a rename.

Every file the grader writes for people or platforms (per-student reports,
class files, LMS imports, results.json, generated course files) goes
through `write_text` or `write_json`. The temporary file is `<name>.tmp`
next to the target, so the rename stays on one file system and a folder
can be swept of leftovers (`grade batch` removes `*.tmp` when it starts).
No fsync: the rename is atomic for any crash of the grader itself; only a
power cut could lose the data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_text(path: str | os.PathLike, text: str, *, encoding: str = "utf-8", mkdir: bool = False) -> Path:
    """Write `text` to `path` atomically; mkdir: create the parent folder first. Returns the path."""
    target = Path(path)
    if mkdir:
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "w", encoding=encoding, newline="") as fh:
        fh.write(text)
    os.replace(tmp, target)
    return target


def write_json(path: str | os.PathLike, doc, *, compact: bool = False, mkdir: bool = False) -> Path:
    """Write `doc` as UTF-8 JSON (indented, or compact) with a final newline, atomically; no NaN allowed."""
    text = (json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False) if compact
            else json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False))
    return write_text(path, text + "\n", mkdir=mkdir)
