"""LMS import files: the class's totals as CSV files that Canvas and Moodle take as they are.

`write_exports` writes two files into the batch's OUT folder, one grade
column each (the LMS assignment; `grade batch` names it after the course
assignment it graded, or `--column`), from the totals of `grade batch`:

OUT/gradebook-canvas.csv, for Canvas's Grades > Import. Layout, as
Canvas's own gradebook export writes it and its importer reads it:

    Student,ID,SIS User ID,SIS Login ID,Section,<assignment>
    Points Possible,,,,,<points>
    <name>,,,<lms_id>,,<score>
    ...

Canvas matches each row on ID (its numeric user id; left empty), then SIS
User ID (empty), then SIS Login ID (the roster's lms_id), and only then on
the Student name. Section may be empty. The assignment column is matched to
an existing assignment by its exact title, or by the id in "Title (1234)";
any other title creates a new assignment, whose points possible are read
from the "Points Possible" row (a row whose first cell holds those words).
An empty grade cell means "no change". Sources:
  https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807
  https://github.com/instructure/canvas-lms/blob/master/lib/gradebook_importer.rb
      (header checks, matching order, the Points Possible row, columns
      whose title contains "Final Score", "Current Grade"... are ignored)
  https://github.com/instructure/canvas-lms/blob/master/lib/gradebook_exporter.rb
      (column order, the Points Possible row, optional UTF-8 BOM)

OUT/gradebook-moodle.csv, for Moodle's Grades > Import > CSV file
(encoding UTF-8, separator comma, the defaults):

    lms_id,<assignment>
    <lms_id>,<score>
    ...

On the preview page, set "Map from" to lms_id and "Map to" to the user
field the roster's ids are (username, useridnumber or useremail; email is
case-sensitive there), and map the <assignment> column to the grade item
(or "new grade item"). Moodle stops the whole import at the first row whose
user it cannot find, and reads an empty cell as "no grade" (a null grade
that would replace one already there); a grade above 100 aborts the import
unless the site's unlimitedgrades setting raises that limit.
Sources:
  https://docs.moodle.org/en/Grade_import  (CSV import, Map from / Map to)
  https://github.com/moodle/moodle/blob/main/grade/import/csv/classes/load_data.php
      (unknown user aborts, '' and '-' mean no grade, the 100 limit)
  https://github.com/moodle/moodle/blob/main/lib/csvlib.class.php
      (the UTF-8 BOM is removed before parsing)

Choices:
- A roster (`read_roster`) maps each student id to the LMS's identifier.
  Without one, the id is the identifier, and ids that cannot be written
  unchanged (see below) are not exported (`Exports.unusable_ids`).
- A roster student without a submission gets an empty Canvas cell and no
  Moodle row: both LMSes then leave whatever grade is there (an extension,
  a grade typed by hand) untouched. They are listed in `no_submission` so
  staff decide; the export never invents a 0.
- A submission whose id is not in the roster is not exported (it would
  match nobody in Canvas and abort the Moodle import) and is listed in
  `not_in_roster`.
- Ids match the roster exactly, or failing that under Unicode NFC (macOS
  writes "é" in file names as "e" and a combining accent).
- `points` rescales every total to that maximum; grades are rounded half
  up to 2 decimals (Canvas's own precision) and written without trailing
  zeros: "28.5", "57", "0".
- Rows follow the roster's order (without a roster: student ids sorted),
  so the files are identical for identical inputs.
- UTF-8 with a BOM (Excel then shows "José Müller" correctly; Moodle removes
  the BOM and Canvas's header checks look for substrings), CRLF line ends.
- Every cell goes through `grader.outputs.neutral.csv_cell`. Identifier cells are
  written exactly or not at all: a roster lms_id that csv_cell would change
  (a leading = + - @, a control character) is refused by `read_roster`,
  since no LMS would match the changed text. Names are display only and
  are neutralised; one containing "Points Possible" gets "Points_Possible",
  as Canvas would read that row as the points row.
- Files are written to a temporary name ending in .tmp, then renamed.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from grader.outputs import atomic
from grader.errors import UsageError
from grader.outputs.neutral import csv_cell, one_line

CANVAS_FILE = "gradebook-canvas.csv"
MOODLE_FILE = "gradebook-moodle.csv"
#: Canvas's student columns, in the order its gradebook export writes them with SIS ids shown.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The first cell of Canvas's points-possible row (its importer looks for these words in the first cell).
POINTS_POSSIBLE = "Points Possible"
#: The identifier column of the Moodle file; staff map it to a user field on Moodle's preview page.
MOODLE_ID_COLUMN = "lms_id"
#: Roster columns (after lower-casing and turning spaces and hyphens into "_").
REQUIRED_COLUMNS = ("student", "lms_id")
OPTIONAL_COLUMNS = ("name",)
#: Largest roster read: a roster is a line per student.
MAX_ROSTER_BYTES = 16 * 1024 * 1024
#: Header text Canvas's importer treats as its own columns: a grade column whose title holds one is dropped.
_CANVAS_TOTALS = ("Current Score", "Current Points", "Current Grade", "Final Score", "Final Points",
                  "Final Grade", "Override Score", "Override Grade", "Override Status")
_CANVAS_RESERVED = frozenset(CANVAS_COLUMNS) | {"Integration ID", "Root Account", "LastName", "FirstName"}
_ENCODING = "utf-8-sig"
_CENT = Decimal("0.01")


class RosterError(UsageError):
    """The roster cannot be used; the message names the file and the line."""


@dataclass(frozen=True)
class RosterEntry:
    """One roster line: the batch's student id (the entry name), the LMS's identifier, a display name."""

    student: str
    lms_id: str
    name: str = ""


@dataclass(frozen=True)
class Exports:
    """What `write_exports` wrote and whom it left out.

    no_submission: roster students with no score, in roster order (empty Canvas cell, no Moodle row).
    not_in_roster: student ids with a score but no roster line (not exported), sorted.
    unusable_ids: without a roster only: ids that cannot be an LMS identifier as they are
    (csv_cell would change them), not exported, sorted.
    """

    canvas: Path
    moodle: Path
    no_submission: tuple[RosterEntry, ...] = ()
    not_in_roster: tuple[str, ...] = ()
    unusable_ids: tuple[str, ...] = ()


def _q(text: str) -> str:
    """A value quoted for a one-line message (repr escapes control characters), cut at 60 characters."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _column_key(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().casefold())


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _writable(identifier: str) -> bool:
    """Whether csv_cell leaves the text as it is (no formula lead, no control character)."""
    return csv_cell(identifier) == identifier


def _rows(text: str, delimiter: str, where: str):
    """(line number, cells) of every row that is not blank; a malformed CSV is a RosterError."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise RosterError(f"{where}, line {reader.line_num}: not readable as CSV ({exc})") from None
        if any(c.strip() for c in cells):
            yield reader.line_num, [c.strip() for c in cells]


def _header(text: str, where: str) -> tuple[str, int, list[str]]:
    """(delimiter, line, column keys) of the header: the first row that is not blank, split by the
    first of comma, semicolon (Excel's CSV in many locales) and tab that yields the required columns."""
    found = None
    for delimiter in (",", ";", "\t"):
        first = next(_rows(text, delimiter, where), None)
        if first is None:
            raise RosterError(f"{where} is empty; it needs a header naming the columns student and lms_id")
        keys = [_column_key(c) for c in first[1]]
        if all(k in keys for k in REQUIRED_COLUMNS):
            return delimiter, first[0], keys
        found = found or (first[0], first[1])
    line, cells = found
    missing = " and ".join(k for k in REQUIRED_COLUMNS if k not in [_column_key(c) for c in cells])
    shown = ", ".join(cells)
    raise RosterError(f"{where}, line {line}: the header has no column {missing} "
                      f"(it has {_q(shown)}); name the columns student, lms_id and optionally name")


def read_roster(path: str | os.PathLike) -> tuple[RosterEntry, ...]:
    """The roster's students, in file order.

    A CSV written by staff: UTF-8 with or without a BOM; comma, semicolon
    or tab separated; a header naming the columns student (the batch's
    student id: the entry name), lms_id (the LMS's identifier of that
    student) and optionally name, in any case, order or spacing ("LMS ID"
    is lms_id); other columns are ignored; blank lines are skipped and
    spaces around a cell are removed. Refused with a RosterError naming the
    file and the line: an unreadable or non-UTF-8 file, a missing column,
    a column named twice, an empty student or lms_id cell, the same
    student twice (also up to Unicode NFC), the same lms_id twice (also up
    to case), an lms_id that csv_cell would change, and no students.
    """
    where = one_line(os.fspath(path))
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_ROSTER_BYTES + 1)
    except OSError as exc:
        raise RosterError(f"cannot read the roster {where}: {exc.strerror or exc}") from None
    if len(raw) > MAX_ROSTER_BYTES:
        raise RosterError(f"{where} is larger than {MAX_ROSTER_BYTES // 2**20} MiB; a roster has a line per student")
    try:
        text = raw.decode(_ENCODING)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RosterError(f"{where}, line {line}: not UTF-8 text; save the roster as \"CSV UTF-8\"") from None
    delimiter, header_line, keys = _header(text, where)
    for key in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS):
        if keys.count(key) > 1:
            raise RosterError(f"{where}, line {header_line}: two columns are named {key}; keep one")
    index = {k: keys.index(k) for k in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if k in keys}
    entries: list[RosterEntry] = []
    students: dict[str, int] = {}
    lms_ids: dict[str, tuple[int, str]] = {}
    rows = _rows(text, delimiter, where)
    next(rows)                                              # the header
    for line, cells in rows:
        cell = {k: (cells[i] if i < len(cells) else "") for k, i in index.items()}
        student, lms_id, name = cell["student"], cell["lms_id"], cell.get("name", "")
        at = f"{where}, line {line}"
        if not student:
            raise RosterError(f"{at}: the student cell is empty; give the submission's name or delete the line")
        if not lms_id:
            raise RosterError(f"{at}: student {_q(student)} has no lms_id")
        if not _writable(lms_id):
            raise RosterError(f"{at}: lms_id {_q(lms_id)} starts with = + - or @ or holds a control character, "
                              f"which spreadsheets run as a formula, so no LMS import could match it; "
                              f"grade this student by hand and delete the line")
        if _nfc(student) in students:
            raise RosterError(f"{at}: student {_q(student)} is already on line {students[_nfc(student)]}; "
                              f"keep one of the two lines")
        key = _nfc(lms_id).casefold()
        if key in lms_ids:
            other_line, other = lms_ids[key]
            raise RosterError(f"{at}: lms_id {_q(lms_id)} is already on line {other_line} (student {_q(other)}); "
                              f"two students cannot share an LMS account")
        students[_nfc(student)] = line
        lms_ids[key] = (line, student)
        entries.append(RosterEntry(student=student, lms_id=lms_id, name=name))
    if not entries:
        raise RosterError(f"{where}: no students below the header on line {header_line}")
    return tuple(entries)


def check_column(column: str) -> str:
    """The grade column's title, stripped; a UsageError if Canvas or Moodle would not read it as a grade column."""
    title = column.strip() if isinstance(column, str) else ""
    if not title:
        raise UsageError("--column needs the name of the LMS assignment")
    if not _writable(title):
        raise UsageError(f"--column {_q(title)} starts with = + - or @ or holds a control character; "
                         f"spreadsheets would run it as a formula")
    if len(title) > 255:
        raise UsageError("--column is longer than 255 characters, Canvas's limit for a title")
    own = next((t for t in _CANVAS_TOTALS if t in title), None)
    if own is None and (title in _CANVAS_RESERVED or title.casefold() == MOODLE_ID_COLUMN):
        own = title
    if own is not None:
        raise UsageError(f"--column {_q(title)}: Canvas or Moodle reads a column named {_q(own)} as one of "
                         f"their own and would ignore the grades; choose another name")
    return title


def check_options(*, points: float | None, column: str) -> None:
    """Refuse a bad --points or --column (UsageError) before a batch grades anyone."""
    check_column(column)
    if points is not None:
        _positive(points, "--points")


def _positive(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise UsageError(f"{what} must be a positive number, not {value!r}")
    return float(value)


def _grade(score: float, max_score: float, points: float) -> str:
    """The score scaled from max_score to points, rounded half up to 2 decimals, without trailing zeros."""
    value = Decimal(repr(float(score)))
    if points != max_score:
        value = value * Decimal(repr(points)) / Decimal(repr(max_score))
    text = format(value.quantize(_CENT, rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _display(entry: RosterEntry) -> str:
    """Canvas's Student cell: the roster's name, or the student id; never read as the points-possible row."""
    return (entry.name or entry.student).replace(POINTS_POSSIBLE, "Points_Possible")


def _match(entries: tuple[RosterEntry, ...], scores: Mapping[str, float]):
    """[(entry, student id with a score or None)] in roster order, and the ids left unmatched (sorted).

    An entry takes the score of its exact id; failing that, of the one id equal to it under NFC
    that no entry names exactly. Two such ids for one entry are ambiguous: neither is taken.
    """
    exact = {e.student for e in entries}
    loose: dict[str, list[str]] = {}
    for sid in scores:
        if sid not in exact:
            loose.setdefault(_nfc(sid), []).append(sid)
    pairs, taken = [], set()
    for e in entries:
        candidates = [e.student] if e.student in scores else loose.get(_nfc(e.student), [])
        sid = candidates[0] if len(candidates) == 1 else None
        if sid is not None:
            taken.add(sid)
        pairs.append((e, sid))
    return pairs, tuple(sorted(s for s in scores if s not in taken))


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    """Every cell through csv_cell, UTF-8 with a BOM and CRLF, written to path.tmp and renamed."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([csv_cell(c) for c in row] for row in rows)
    atomic.write_text(path, buf.getvalue(), encoding=_ENCODING)


def write_exports(out: Path, scores: Mapping[str, float], *, max_score: float, points: float | None = None,
                  column: str = "backprop", roster: Path | None = None) -> Exports:
    """Write OUT/gradebook-canvas.csv and OUT/gradebook-moodle.csv (layouts in the module docstring).

    scores: student id (the entry name, exactly) -> total out of max_score (the graded assignment's total).
    points: the assignment's maximum in the LMS; every total is scaled to it (default: max_score).
    column: the grade column's title (the LMS assignment or grade item).
    roster: a roster CSV (`read_roster`); without one, each student id is its own LMS id.
    Raises UsageError (RosterError for the roster) for bad arguments, ValueError for a score
    that is not a finite number >= 0.
    """
    max_score = _positive(max_score, "the assignment's maximum score")
    target = max_score if points is None else _positive(points, "--points")
    title = check_column(column)
    for sid, score in scores.items():
        if not isinstance(sid, str):
            raise TypeError(f"student ids are strings, not {sid!r}")
        if isinstance(score, bool) or not isinstance(score, numbers.Real) or not math.isfinite(score) or score < 0:
            raise ValueError(f"the score of {_q(sid)} is {score!r}, not a finite number >= 0")
    unusable: tuple[str, ...] = ()
    if roster is not None:
        pairs, not_in_roster = _match(read_roster(roster), scores)
    else:
        unusable = tuple(sorted(s for s in scores if not _writable(s)))
        pairs = [(RosterEntry(student=s, lms_id=s), s) for s in sorted(scores) if _writable(s)]
        not_in_roster = ()
    grades = [(e, "" if sid is None else _grade(scores[sid], max_score, target)) for e, sid in pairs]
    points_text = _grade(target, target, target)
    canvas_rows = [[*CANVAS_COLUMNS, title], [POINTS_POSSIBLE, "", "", "", "", points_text]]
    canvas_rows += [[_display(e), "", "", e.lms_id, "", grade] for e, grade in grades]
    moodle_rows = [[MOODLE_ID_COLUMN, title]] + [[e.lms_id, grade] for e, grade in grades if grade]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    canvas, moodle = out / CANVAS_FILE, out / MOODLE_FILE
    _write_csv(canvas, canvas_rows)
    _write_csv(moodle, moodle_rows)
    return Exports(canvas=canvas, moodle=moodle,
                   no_submission=tuple(e for e, sid in pairs if sid is None),
                   not_in_roster=not_in_roster, unusable_ids=unusable)


__all__ = ["RosterError", "RosterEntry", "Exports", "read_roster", "write_exports",
           "CANVAS_FILE", "MOODLE_FILE", "CANVAS_COLUMNS", "MOODLE_ID_COLUMN", "POINTS_POSSIBLE"]
