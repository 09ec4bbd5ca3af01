"""Reading the files of a submission: never through a link, never a special file, never more than a cap.

A submission is data its author controls, and the trusted parent reads it
with root's (or the course staff's) permissions. A symbolic link named
`fc.py` pointing at the course's `reference/fc.py` would otherwise be read
as the student's work, and a link named like a helper module would copy any
file the grader can read into the worker. So:

- a symbolic link is never followed, wherever it is below the submission's
  root (the root itself is the caller's choice and may be one);
- only regular files are read: a FIFO (which would block), a device or a
  socket is refused;
- a hard link is refused when the file has names outside the submission
  (st_nlink counts them; the names inside are counted by a bounded walk);
- every read is capped.

Refusals are `SubmissionError`s (`NotARealFile` for links and special
files) with one line a
student can act on. Files are opened with O_NOFOLLOW and O_NONBLOCK and
checked with fstat on the open descriptor, so what is checked is what is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from grader.errors import SubmissionError

#: Most folder entries looked at when counting a hard-linked file's names inside a submission.
MAX_WALK = 5000


class NotARealFile(SubmissionError):
    """A file of the submission is a symbolic link, a hard link to elsewhere, or not a regular file."""


def kind(path: str | os.PathLike) -> str:
    """What `path` is, without following a final link: "file", "dir", "link", "other" or "absent"."""
    try:
        mode = os.lstat(path).st_mode
    except (OSError, ValueError):
        return "absent"
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    return "other"


def _links_below(path: Path, root: Path) -> Path | None:
    """The first symbolic link among the folders between `root` (excluded) and `path` (excluded), if any."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return None
    current = root
    for part in rel.parts[:-1]:
        current = current / part
        if kind(current) == "link":
            return current
    return None


def _names_inside(root: Path, st: os.stat_result) -> int:
    """How many names the file (st_dev, st_ino) has inside `root`, counting at most MAX_WALK entries."""
    found, seen = 0, 0
    stack = [root]
    while stack and seen < MAX_WALK:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    seen += 1
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        est = entry.stat(follow_symlinks=False)
                        if (est.st_dev, est.st_ino) == (st.st_dev, st.st_ino):
                            found += 1
        except OSError:
            continue
    return found


def open_regular(path: str | os.PathLike, *, root: str | os.PathLike | None = None,
                 name: str | None = None) -> tuple[int, os.stat_result]:
    """Open a regular file of a submission without following any link: (descriptor, its fstat).

    root: the submission's root folder; links are refused anywhere below it,
    and a hard link is refused unless all its names are inside it (default:
    the file's own folder). name: how the file is called in messages
    (default: its file name). The caller closes the descriptor.
    """
    p = Path(path)
    shown = name or p.name
    top = Path(root) if root is not None else p.parent
    via = _links_below(p, top)
    if via is not None:
        raise NotARealFile(f"{shown} is inside {via.name}, which is a symbolic link; the grader does not follow "
                           f"links: submit the folder itself")
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if kind(p) == "link":
            raise NotARealFile(f"{shown} is a symbolic link; the grader reads only real files and never follows "
                               f"links: submit the file itself") from None
        raise SubmissionError(f"cannot read {shown}: {exc.strerror or exc}") from None
    except ValueError:                                  # a NUL byte in the name
        raise SubmissionError(f"cannot read {shown}: the name is not a valid file name") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARealFile(f"{shown} is not a regular file (a folder, a pipe or a device); submit a file")
        if st.st_nlink > 1 and _names_inside(top, st) < st.st_nlink:
            raise NotARealFile(f"{shown} is a hard link to a file outside the submission; the grader reads only "
                               f"the submission's own files: submit a copy")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def check(path: str | os.PathLike, *, root: str | os.PathLike | None = None, name: str | None = None) -> None:
    """Raise as `open_regular` would for a file that is not a real file of the submission."""
    fd, _ = open_regular(path, root=root, name=name)
    os.close(fd)


def read_bytes(path: str | os.PathLike, *, limit: int, root: str | os.PathLike | None = None,
               name: str | None = None) -> bytes:
    """The bytes of a regular file of a submission (see `open_regular`), at most `limit` of them."""
    shown = name or Path(path).name
    fd, st = open_regular(path, root=root, name=name)
    try:
        if st.st_size > limit:
            raise SubmissionError(f"{shown} is {_size(st.st_size)}; files over {_size(limit)} are not accepted")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise SubmissionError(f"{shown} is over {_size(limit)}; larger files are not accepted")
        return b"".join(chunks)
    except OSError as exc:
        raise SubmissionError(f"cannot read {shown}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _size(n: int) -> str:
    """A byte count for people: "3 MiB", "1.5 MiB", "512 KiB"."""
    if n >= 1 << 20:
        return f"{n / (1 << 20):.3g} MiB"
    return f"{max(1, n >> 10)} KiB" if n >= 1024 else f"{n} bytes"


def entries(folder: str | os.PathLike) -> list[tuple[str, str]]:
    """(name, kind) of each entry of `folder`, sorted by name, never following a link ([] if unreadable)."""
    out = []
    try:
        with os.scandir(folder) as it:
            for entry in it:
                if entry.is_symlink():
                    k = "link"
                elif entry.is_dir(follow_symlinks=False):
                    k = "dir"
                elif entry.is_file(follow_symlinks=False):
                    k = "file"
                else:
                    k = "other"
                out.append((entry.name, k))
    except OSError:
        return []
    return sorted(out)
