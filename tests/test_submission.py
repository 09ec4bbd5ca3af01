"""Questions about resolving a submission path (grader.submission)."""

from __future__ import annotations

import pytest

from grader.errors import SubmissionError
from grader.submission import resolve

FILES = {"fc": "fc.py", "relu": "relu.py"}


def test_does_a_folder_map_present_and_absent_files(tmp_path):
    (tmp_path / "fc.py").write_text("x = 1\n")
    sub = resolve(tmp_path, FILES)
    assert sub.files["fc"].name == "fc.py" and sub.files["relu"] is None


def test_is_a_folder_without_any_exercise_file_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(SubmissionError, match="holds none of the exercise files"):
        resolve(tmp_path, FILES)


def test_does_a_single_file_select_its_exercise(tmp_path):
    f = tmp_path / "relu.py"
    f.write_text("x = 1\n")
    assert list(resolve(f, FILES).files) == ["relu"]


def test_may_a_differently_named_file_be_graded_with_an_explicit_exercise(tmp_path):
    f = tmp_path / "my_layer.py"
    f.write_text("x = 1\n")
    with pytest.raises(SubmissionError, match="not an exercise file"):
        resolve(f, FILES)
    assert list(resolve(f, FILES, exercise="fc").files) == ["fc"]


@pytest.mark.parametrize("name, content, fragment", [
    ("fc.py", b"\x00\x01binary", "binary data"),
    ("fc.zip", b"PK", "not a Python file"),
])
def test_is_an_unreadable_submission_refused_in_one_line(tmp_path, name, content, fragment):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(SubmissionError, match=fragment):
        resolve(f, FILES)


def test_is_a_huge_source_file_refused(tmp_path):
    f = tmp_path / "fc.py"
    f.write_bytes(b"#" * (3 << 20))
    with pytest.raises(SubmissionError, match="MiB"):
        resolve(f, FILES)
