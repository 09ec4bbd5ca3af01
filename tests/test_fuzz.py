"""Fuzzing the parent's parsers of student-controlled data: can any input escape as anything but a refusal?

Each parser the trusted parent runs on what a student controls (the frames
a worker sends, a notebook file and its cells, a Python source, a zip) is
given inputs Hypothesis builds from hostile pieces. The only allowed
outcomes are a result that satisfies the parser's contract or that
parser's own refusal (ProtocolError, SubmissionError, None); any other
exception would have escaped out of the grader. The runs are derandomised
and capped in examples, so the suite's time stays bounded and a failure
reproduces.
"""

from __future__ import annotations

import io
import json
import os
import struct
import warnings
import zipfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.submissions import archive
from grader.isolation import protocol
from grader.submissions.conversion import Cell, definitions, execute_all, read_notebook
from grader.errors import SubmissionError
from grader.submissions.submission import defined_names_in

FUZZ = settings(max_examples=150, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---------------------------------------------------------------------------
# Frames


def json_trees(leaves):
    return st.recursive(leaves, lambda kids: st.lists(kids, max_size=4)
                        | st.dictionaries(st.sampled_from(["t", "shape", "dtype", "off", "len", "items", "kind",
                                                           "data", "cls", "py", "type"]), kids, max_size=5),
                        max_leaves=20)


SCALARS = (st.none() | st.booleans() | st.integers(min_value=-2 ** 70, max_value=2 ** 70)
           | st.floats(allow_nan=True) | st.sampled_from(["nd", "nd_sub", "scalar", "nd_bad", "seq", "other", "none",
                                                         "tuple", "list", "<f8", "<i8", "|b1", "<c16", "O", ">f4"]))

#: A value node that is usually well-formed in places: an array node with plausible or hostile fields.
ARRAY_NODES = st.fixed_dictionaries({
    "t": st.sampled_from(["nd", "nd_sub", "scalar", "nd_bad"]),
    "dtype": st.sampled_from(["<f8", "<i8", "|b1", "<c16", "<f4", "O", "|V8", ""]),
    "shape": st.lists(st.sampled_from([0, 1, 2, 3, -1, 2 ** 31, 2 ** 62, 2 ** 64]), max_size=6),
    "off": st.sampled_from([0, 1, 8, -8, 2 ** 63]),
    "len": st.sampled_from([0, 8, 16, 24, 48, -1, 2 ** 63]),
})


@FUZZ
@given(node=json_trees(SCALARS) | ARRAY_NODES | st.lists(ARRAY_NODES, max_size=3).map(
    lambda items: {"t": "seq", "kind": "tuple", "items": items}), payload=st.binary(max_size=64))
def test_does_decoding_any_value_tree_give_a_valid_value_or_a_protocol_error(node, payload):
    try:
        value = protocol.decode_tree(json.loads(json.dumps(node)), payload)
    except protocol.ProtocolError:
        return
    stack = [value]
    while stack:
        item = stack.pop()
        assert isinstance(item, dict) and item["t"] in ("nd", "nd_sub", "scalar", "nd_bad", "seq", "other", "none")
        if "array" in item:
            arr = item["array"]
            assert type(arr) is np.ndarray and not arr.flags.writeable and arr.dtype.kind in "fiubc"
            assert arr.nbytes <= len(payload)
        stack.extend(item.get("items", ()))


def frames(header: bytes, payload: bytes) -> bytes:
    return protocol.MAGIC + struct.pack(">IQ", len(header), len(payload)) + header + payload


HEADERS = (st.binary(max_size=64)
           | st.builds(lambda n, c: c * n, st.integers(0, 5000), st.sampled_from([b"[", b"{", b'{"a":', b"-"]))
           | json_trees(SCALARS).map(lambda t: json.dumps(t).encode()))


@FUZZ
@given(parts=st.lists(st.tuples(HEADERS, st.binary(max_size=32)), max_size=4), junk=st.binary(max_size=24),
       cut=st.integers(min_value=1, max_value=64))
def test_does_the_frame_reader_give_frames_or_a_protocol_error_for_any_bytes(parts, junk, cut):
    stream = b"".join(frames(h, p) for h, p in parts) + junk
    reader = protocol.FrameReader(max_header=1 << 16, max_payload=1 << 16)
    got = []
    try:
        for start in range(0, len(stream), cut):
            reader.feed(stream[start:start + cut])
            while (frame := reader.next_frame()) is not None:
                got.append(frame)
    except protocol.ProtocolError:
        return
    for header, payload in got:
        assert isinstance(header, dict) and isinstance(payload, (bytes, bytearray))


# ---------------------------------------------------------------------------
# Notebooks and Python sources

PIECES = st.sampled_from([
    "def f(x):\n", "    return x\n", "class A:\n", "    pass\n", "import numpy as np\n", "from grader import api\n",
    "a = 1", "b = (1, 2)\n", "x = f(2)\n", ";", " ", "\t", "\n", "\r\n", "\r", "%timeit f(1)\n", "!pip install x\n",
    "%%bash\n", "??f\n", "f?\n", "(", ")", "[", "]", "'''", '"', "\\\n", "#", "@dec\n", "if 1:\n", "else:\n",
    "lambda: 0", "-", "\x00", "\x0c", "\x1b[2J", "\u202e", "²", "async def g():\n", "    await h()\n", "print(1)\n",
    "    ", "get_ipython().run_line_magic('x', '')\n", "del a\n", "global q\n", "a: int = 3\n", "x = -" * 3,
])
SOURCES = st.lists(PIECES, max_size=30).map("".join)


def assert_compiles(source: str) -> None:
    """The module a conversion made compiles (no code runs)."""
    compile(source, "<converted>", "exec", dont_inherit=True)


@FUZZ
@given(cells=st.lists(st.tuples(SOURCES, st.lists(st.sampled_from(["grade-skip", "x", ""]), max_size=2)),
                      min_size=1, max_size=6))
def test_does_any_notebook_convert_to_a_module_that_compiles(cells):
    made = [Cell(k + 1, source, tuple(tags)) for k, (source, tags) in enumerate(cells)]
    for convert in (definitions, execute_all):
        conversion = convert(made)
        assert_compiles(conversion.source)
        assert all("\n" not in line for line in conversion.summary())


@FUZZ
@given(source=SOURCES | st.text(max_size=200))
def test_does_reading_names_from_any_source_give_names_or_none(source):
    names = defined_names_in(source)
    assert names is None or all(isinstance(n, str) and n.isidentifier() for n in names)


NOTEBOOK_VALUES = json_trees(SCALARS | st.text(max_size=30))


@FUZZ
@given(doc=st.fixed_dictionaries({"nbformat": st.sampled_from([4, 3, "4", None]),
                                  "metadata": NOTEBOOK_VALUES | st.just({"kernelspec": {"language": "python"}}),
                                  "cells": st.lists(st.fixed_dictionaries(
                                      {"cell_type": st.sampled_from(["code", "markdown", 3]),
                                       "source": SOURCES | st.lists(SOURCES, max_size=3) | NOTEBOOK_VALUES,
                                       "metadata": NOTEBOOK_VALUES}), max_size=5) | NOTEBOOK_VALUES})
       | NOTEBOOK_VALUES, tail=st.binary(max_size=8))
def test_does_reading_any_notebook_file_give_cells_or_a_submission_error(tmp_path_factory, doc, tail):
    path = tmp_path_factory.mktemp("nb") / "fc.ipynb"
    path.write_bytes(json.dumps(doc).encode() + (tail if tail.strip() else b""))
    try:
        cells = read_notebook(path)
    except SubmissionError as exc:
        assert "\n" not in str(exc)
        return
    assert cells and all(isinstance(c.source, str) for c in cells)
    assert_compiles(definitions(cells).source)


# ---------------------------------------------------------------------------
# Zips

NAMES = st.lists(st.sampled_from(["a", "fc.py", "..", ".", "", "/", "\\", "x" * 300, "C:", "__MACOSX", "dir",
                                  "FC.PY", "\x1b", "é", "\x00"]), min_size=1, max_size=5).map("/".join)


def hostile_zip(members, flip: int | None) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore")               # "Duplicate name": wanted here
        for name, data, link, encrypted in members:
            info = zipfile.ZipInfo(name)
            if link:
                info.external_attr = 0o120777 << 16
            info.flag_bits |= 0x1 if encrypted else 0
            zf.writestr(info, data)
    raw = bytearray(buf.getvalue())
    if flip is not None and raw:
        raw[flip % len(raw)] ^= 0xFF
    return bytes(raw)


@FUZZ
@given(members=st.lists(st.tuples(NAMES, st.binary(max_size=16), st.booleans(), st.booleans()), max_size=5),
       flip=st.none() | st.integers(min_value=0, max_value=10 ** 6))
def test_does_extracting_any_zip_write_only_inside_its_folder_or_refuse(tmp_path_factory, members, flip):
    work = tmp_path_factory.mktemp("zip")
    path = work / "student.zip"
    try:
        path.write_bytes(hostile_zip(members, flip))
    except (ValueError, struct.error):
        return                                  # zipfile itself refused to write such an entry
    target = work / "inside" / "unzipped"
    try:
        archive.extract(path, target)
    except SubmissionError as exc:
        assert "\n" not in str(exc)
    outside = [p for p in work.rglob("*") if not (p == path or p == target.parent or p == target
                                                   or target in p.parents)]
    assert outside == []
    for p in target.rglob("*") if target.exists() else ():
        assert not p.is_symlink()


@FUZZ
@given(data=st.binary(max_size=300))
def test_is_any_byte_string_named_zip_unpacked_or_refused(tmp_path_factory, data):
    work = tmp_path_factory.mktemp("raw")
    (work / "student.zip").write_bytes(data)
    try:
        archive.extract(work / "student.zip", work / "unzipped")
    except SubmissionError:
        pass
    assert sorted(os.listdir(work)) in (["student.zip"], ["student.zip", "unzipped"])

