"""Unpacking a student's zip into a fresh folder, safely.

The zip is the student's: anything in it may be hostile. `extract` checks
the archive before writing anything, then writes each member itself:

- the zip file is at most MAX_ZIP_BYTES, its central directory (read from
  the end record before zipfile parses it) at most MAX_DIRECTORY bytes and
  MAX_ENTRIES entries (folders included), and it unpacks to at most
  MAX_FILES files and MAX_BYTES (counted while reading, never trusted from
  the header);
- a member name must be relative, without `..`, NUL or control
  characters, and short enough for the file system (MAX_NAME per part,
  MAX_PATH in all); `__MACOSX/` and symbolic links are skipped;
- a file and a folder of the same name, a name given twice, an encrypted
  member, a bad CRC or a truncated member refuse the whole archive;
- every file is created with O_EXCL and O_NOFOLLOW under the target, in
  folders this function made, so nothing is written outside it.

Any defect is a SubmissionError with one line naming the member (its name
made visible by `grader.outputs.neutral`); the caller then deletes the target,
which may hold the members written before the defect was found.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
from pathlib import Path

from grader.errors import SubmissionError
from grader.outputs.neutral import one_line

#: Largest zip file accepted, in bytes.
MAX_ZIP_BYTES = 64 << 20
#: Most entries (files and folders) in its central directory, and the directory's largest size in bytes
#: (about 4 KiB per entry: zipfile builds an object per entry, so a huge directory would cost memory first).
MAX_ENTRIES = 1000
MAX_DIRECTORY = 4 << 20
#: Most files unpacked, and most bytes unpacked in all.
MAX_FILES = 200
MAX_BYTES = 32 << 20
#: Longest part of a member's path, and longest path, in bytes (common file-system limits).
MAX_NAME, MAX_PATH = 255, 1024


_END = struct.Struct("<4s4H2LH")        # end of central directory record
_END_SIGNATURE = b"PK\x05\x06"


def _check_directory(archive: Path) -> None:
    """Refuse a zip whose end record announces too many entries or too large a central directory."""
    with open(archive, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        tail_start = max(0, size - (_END.size + 0xFFFF))
        f.seek(tail_start)
        tail = f.read()
    at = tail.rfind(_END_SIGNATURE)
    if at < 0 or at + _END.size > len(tail):
        raise SubmissionError(f"{archive.name} is not a readable zip file (no end of central directory)")
    _, _, _, _, entries, directory_size, _, _ = _END.unpack_from(tail, at)
    if entries > MAX_ENTRIES:
        shown = f"{entries}" if entries < 0xFFFF else f"more than {entries - 1}"      # 0xFFFF: a zip64 count
        raise SubmissionError(f"{archive.name} has {shown} entries; at most {MAX_ENTRIES} are accepted")
    if directory_size > MAX_DIRECTORY:
        raise SubmissionError(f"{archive.name} has a central directory of {directory_size >> 10} KiB; at most "
                              f"{MAX_DIRECTORY >> 20} MiB is accepted")


def _parts(archive: Path, info: zipfile.ZipInfo) -> list[str] | None:
    """The path parts of a member to write, None to skip it; raises for a name that cannot be written."""
    name = info.filename.replace("\\", "/")
    shown = one_line(name)[:120]
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise SubmissionError(f"{archive.name}: the member {shown!r} has a control character in its name")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or parts[0] == "__MACOSX":
        return None
    if name.startswith("/") or ".." in parts or (len(parts[0]) == 2 and parts[0][1] == ":"):
        raise SubmissionError(f"{archive.name}: the member {shown!r} points outside the archive")
    if any(len(p.encode("utf-8", "surrogateescape")) > MAX_NAME for p in parts) \
            or len(name.encode("utf-8", "surrogateescape")) > MAX_PATH:
        raise SubmissionError(f"{archive.name}: the member {shown[:60]!r}… has a name too long for a file system")
    return parts


def _plan(archive: Path, zf: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    """The files to write, after checking names, links, encryption and clashes across the whole archive."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise SubmissionError(f"{archive.name} has {len(infos)} entries; at most {MAX_ENTRIES} are accepted")
    files: list[tuple[zipfile.ZipInfo, list[str]]] = []
    folders: set[tuple[str, ...]] = set()
    names: set[tuple[str, ...]] = set()
    for info in infos:
        parts = _parts(archive, info)
        if parts is None:
            continue
        key = tuple(p.casefold() for p in parts)
        if info.is_dir():
            folders.add(key)
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            continue                                   # a symbolic link: never created
        if info.flag_bits & 0x1:
            raise SubmissionError(f"{archive.name}: the member {one_line(info.filename)[:120]!r} is encrypted; "
                                  f"zip it again without a password")
        if key in names:
            raise SubmissionError(f"{archive.name}: the member {one_line(info.filename)[:120]!r} is there twice")
        names.add(key)
        folders.update(key[:k] for k in range(1, len(key)))
        files.append((info, parts))
    clash = next((n for n in names if n in folders), None)
    if clash is not None:
        raise SubmissionError(f"{archive.name}: {one_line('/'.join(clash))[:120]!r} is both a file and a folder")
    if len(files) > MAX_FILES:
        raise SubmissionError(f"{archive.name} holds {len(files)} files; at most {MAX_FILES} are accepted")
    return files


def _open_dirs(target: Path, parts: list[str]) -> int:
    """A descriptor of the folder target/parts[:-1], made as needed, never through a link."""
    fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        for part in parts[:-1]:
            try:
                os.mkdir(part, 0o755, dir_fd=fd)
            except FileExistsError:
                pass
            nxt = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def extract(archive: str | os.PathLike, target: str | os.PathLike) -> None:
    """Unpack the zip `archive` into the folder `target` (made if absent) with the limits of the module docstring."""
    archive, target = Path(archive), Path(target)
    try:
        size = os.stat(archive).st_size
    except OSError as exc:
        raise SubmissionError(f"cannot read {archive.name}: {exc.strerror or exc}") from None
    if size > MAX_ZIP_BYTES:
        raise SubmissionError(f"{archive.name} is {size >> 20} MiB; zips over {MAX_ZIP_BYTES >> 20} MiB are not "
                              f"accepted")
    target.mkdir(parents=True, exist_ok=True)
    try:
        _check_directory(archive)
        with zipfile.ZipFile(archive) as zf:
            total = 0
            for info, parts in _plan(archive, zf):
                dir_fd = _open_dirs(target, parts)
                try:
                    out = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                                  0o644, dir_fd=dir_fd)
                finally:
                    os.close(dir_fd)
                with zf.open(info) as src, os.fdopen(out, "wb") as dst:
                    while True:
                        chunk = src.read(1 << 16)
                        if not chunk:
                            break
                        total += len(chunk)
                        if total > MAX_BYTES:
                            raise SubmissionError(f"{archive.name} unpacks to more than {MAX_BYTES >> 20} MiB")
                        dst.write(chunk)
    except SubmissionError:
        raise
    except zipfile.BadZipFile as exc:
        raise SubmissionError(f"{archive.name} is not a readable zip file ({one_line(exc)[:200]})") from None
    except (RuntimeError, NotImplementedError, zlib.error, EOFError) as exc:
        # RuntimeError: encrypted; NotImplementedError: an unknown compression method
        raise SubmissionError(f"{archive.name} cannot be unpacked ({one_line(exc)[:200]})") from None
    except (OSError, ValueError) as exc:
        raise SubmissionError(f"{archive.name} cannot be unpacked ({one_line(exc)[:200]})") from None
