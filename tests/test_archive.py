"""grader/submissions/archive.py: what a zip becomes on disk. (Hostile zips are in tests/attacks/test_hostile_zips.py.)"""

from __future__ import annotations

import zipfile

from grader.submissions import archive


def files_under(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def test_are_links_and_macos_metadata_skipped_and_the_rest_unpacked(tmp_path):
    path = tmp_path / "student.zip"
    with zipfile.ZipFile(path, "w") as zf:
        link = zipfile.ZipInfo("link.py")
        link.external_attr = 0o120777 << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("__MACOSX/work/._fc.py", b"\0")
        zf.writestr("work/", b"")
        zf.writestr("work/fc.py", "x = 1\n")
    archive.extract(path, tmp_path / "out")
    assert files_under(tmp_path / "out") == ["work/fc.py"]
    assert (tmp_path / "out" / "work" / "fc.py").read_text() == "x = 1\n"
