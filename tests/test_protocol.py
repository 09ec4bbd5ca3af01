"""Questions about the pickle-free wire format (grader.isolation.protocol)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from grader.isolation import protocol
from grader.isolation.protocol import FrameReader, PayloadBuilder, ProtocolError, decode_tree, encode_value, pack_frame


def roundtrip(obj):
    pb = PayloadBuilder()
    tree = encode_value(obj, pb)
    return decode_tree(tree, pb.bytes())


def test_do_plain_arrays_round_trip_exactly():
    a = np.random.default_rng(0).standard_normal((3, 4))
    back = roundtrip(a)
    assert back["t"] == "nd"
    assert back["array"].dtype == np.float64 and np.array_equal(back["array"], a)


def test_are_scalars_zero_dimensional_with_their_python_type():
    for value, py in [(1.5, "float"), (np.float64(2.0), "numpy.float64"), (np.float32(3.0), "numpy.float32"),
                      (7, "int")]:
        back = roundtrip(value)
        assert back["t"] == "scalar" and back["array"].ndim == 0 and back["py"] == py
        assert back["array"].item() == value


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_is_an_ndarray_subclass_reported_as_such():
    back = roundtrip(np.matrix([[1.0, 2.0]]))
    assert back["t"] == "nd_sub" and back["cls"] == "matrix"


def test_is_an_object_array_refused_without_data():
    back = roundtrip(np.array([object(), object()], dtype=object))
    assert back["t"] == "nd_bad" and "array" not in back


def test_are_odd_objects_reported_by_type_name_only():
    class Sneaky:
        def __reduce__(self):  # pragma: no cover - must never be called
            raise AssertionError("pickled!")

        def __array__(self, *a, **k):  # pragma: no cover - must never be called
            raise AssertionError("converted!")

    back = roundtrip(Sneaky())
    assert back["t"] == "other" and "Sneaky" in back["type"]


def test_are_tuples_and_lists_nested_with_limits():
    back = roundtrip((np.zeros((1, 2)), [1.0, None]))
    assert back["t"] == "seq" and back["kind"] == "tuple"
    assert back["items"][1]["items"][1] == {"t": "none"}
    deep = [[[[[1.0]]]]]
    level3 = roundtrip(deep)["items"][0]["items"][0]["items"][0]
    assert level3["t"] == "seq" and level3["items"][0]["t"] == "other"


def test_is_a_big_endian_array_sent_little_endian():
    a = np.arange(3, dtype=">f8")
    back = roundtrip(a)
    assert back["array"].dtype == np.dtype("<f8") and list(back["array"]) == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("node, fragment", [
    ({"t": "nd", "dtype": "|O", "shape": [1], "off": 0, "len": 8}, "not allowed"),
    ({"t": "nd", "dtype": "<f8", "shape": [2], "off": 0, "len": 8}, "do not match"),
    ({"t": "nd", "dtype": "<f8", "shape": [-1], "off": 0, "len": 8}, "negative"),
    ({"t": "nd", "dtype": "<f8", "shape": [1], "off": 4, "len": 8}, "do not match"),
    ({"t": "nd", "dtype": "<f8", "shape": [1] * 9, "off": 0, "len": 8}, "shape"),
    ({"t": "scalar", "dtype": "<f8", "shape": [1], "off": 0, "len": 8}, "0-dimensional"),
    ({"t": "pickle", "data": "..."}, "unknown value tag"),
    ({"t": "seq", "kind": "dict", "items": []}, "sequence kind"),
    ([1, 2], "not an object"),
])
def test_does_the_parent_reject_malformed_value_trees(node, fragment):
    with pytest.raises(ProtocolError, match=fragment):
        decode_tree(node, b"\x00" * 8)


def test_does_a_frame_round_trip_through_the_reader_in_small_chunks():
    frame = pack_frame({"step": 0, "ok": True}, b"abc")
    reader = FrameReader()
    for i in range(len(frame)):
        reader.feed(frame[i:i + 1])
        got = reader.next_frame()
        if i < len(frame) - 1:
            assert got is None
    assert got == ({"step": 0, "ok": True}, b"abc")


def test_does_the_reader_refuse_oversized_frames_before_buffering_them():
    reader = FrameReader(max_header=100, max_payload=1000)
    reader.feed(struct.pack(">4sIQ", protocol.MAGIC, 50, 10**12))
    with pytest.raises(ProtocolError, match="over the cap"):
        reader.next_frame()
    reader = FrameReader(max_header=100, max_payload=1000)
    reader.feed(struct.pack(">4sIQ", protocol.MAGIC, 10**6, 0))
    with pytest.raises(ProtocolError, match="over the cap"):
        reader.next_frame()


def test_does_the_reader_refuse_bad_magic_and_non_json_headers():
    reader = FrameReader()
    reader.feed(struct.pack(">4sIQ", b"EVIL", 2, 0) + b"{}")
    with pytest.raises(ProtocolError, match="magic"):
        reader.next_frame()
    reader = FrameReader()
    reader.feed(struct.pack(">4sIQ", protocol.MAGIC, 3, 0) + b"\x80\x04.")
    with pytest.raises(ProtocolError, match="not JSON"):
        reader.next_frame()


def test_does_the_wire_format_avoid_pickle_entirely():
    import inspect

    for module in (protocol,):
        source = inspect.getsource(module)
        assert "import pickle" not in source and "pickle.loads" not in source and "allow_pickle=True" not in source


def _big_frame(n=50_000):
    """A frame whose payload (n float64, 400 kB) is over DIRECT_PAYLOAD, plus the array."""
    a = np.random.default_rng(2).standard_normal(n)
    pb = PayloadBuilder(copy=False)
    tree = encode_value(a, pb)
    return protocol.frame_buffers({"value": tree}, pb), a


def test_does_a_large_payload_arrive_whole_when_fed_in_odd_chunks():
    buffers, a = _big_frame()
    wire = b"".join(buffers) + pack_frame({"next": 1}, b"xy")
    reader = FrameReader()
    frames = []
    for i in range(0, len(wire), 7919):
        reader.feed(wire[i:i + 7919])
        while (frame := reader.next_frame()) is not None:
            frames.append(frame)
    assert [h.keys() for h, _ in frames] == [{"value"}, {"next"}]
    header, payload = frames[0]
    assert len(payload) > protocol.DIRECT_PAYLOAD
    assert np.array_equal(decode_tree(header["value"], payload)["array"], a)
    assert frames[1][1] == b"xy"


def test_do_frames_cross_a_real_pipe_with_writev_and_direct_reads():
    import os
    import threading

    buffers, a = _big_frame(300_000)           # 2.4 MB: many partial writes through a 64 kB pipe
    small = protocol.frame_buffers({"small": True}, b"abc")
    r, w = os.pipe()

    def send():
        todo = buffers + small
        while todo:
            todo = protocol.write_some(w, todo)
        os.close(w)

    sender = threading.Thread(target=send)
    sender.start()
    reader, frames = FrameReader(), []
    while reader.read_from(r):
        while (frame := reader.next_frame()) is not None:
            frames.append(frame)
    sender.join()
    os.close(r)
    assert np.array_equal(decode_tree(frames[0][0]["value"], frames[0][1])["array"], a)
    assert frames[1] == ({"small": True}, b"abc")


def test_does_write_some_resume_in_the_middle_of_a_buffer(monkeypatch):
    written = bytearray()

    def five_bytes_at_a_time(fd, bufs):
        data = b"".join(bytes(b) for b in bufs)[:5]
        written.extend(data)
        return len(data)

    monkeypatch.setattr(protocol.os, "writev", five_bytes_at_a_time)
    todo = [b"abc", memoryview(b"defghij"), b"", b"kl"]
    while todo:
        todo = protocol.write_some(-1, todo)
    assert bytes(written) == b"abcdefghijkl"


def test_does_the_worker_payload_snapshot_arrays_but_the_parent_payload_not():
    a = np.arange(4.0)
    snap, view = PayloadBuilder(), PayloadBuilder(copy=False)
    encode_value(a, snap), encode_value(a, view)
    a[0] = 99.0
    assert np.frombuffer(snap.bytes())[0] == 0.0      # a later in-place change cannot alter a sent result
    assert np.frombuffer(view.bytes())[0] == 99.0


def test_are_decoded_arrays_read_only_in_the_parent_and_private_in_the_worker():
    buffers, a = _big_frame()
    reader = FrameReader()
    reader.feed(b"".join(buffers))
    header, payload = reader.next_frame()
    assert isinstance(payload, bytearray)
    parent = decode_tree(header["value"], payload)["array"]
    assert not parent.flags.writeable
    node = header["value"]
    mine = protocol.decode_array_fields(node, payload, writable=True)
    mine[0] += 1.0
    assert mine.flags.writeable and mine[0] == a[0] + 1.0
    small = protocol.decode_array_fields({"dtype": "<f8", "shape": [1], "off": 0, "len": 8}, b"\x00" * 8,
                                         writable=True)
    small[0] = 1.0                                      # a bytes payload is copied, so this is allowed
