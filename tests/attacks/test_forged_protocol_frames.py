"""Attack: the worker sends frames made to crash the trusted parent's decoder.

Two cheap frames used to raise out of the parent: a header nested 300,000
levels deep (RecursionError in the JSON parser) and an empty array that
announces huge dimensions (ValueError from numpy). In a batch either one
aborted the whole class. Both must now be protocol errors, which cost only
the student who sent them.
"""

from __future__ import annotations

import json
import struct

import pytest

from grader import api
from grader.isolation import protocol

from conftest import LINEAR_HEAD, REFERENCE, has, needs

#: Writes a header nested 300,000 deep to every descriptor it may own; one of them is the response pipe.
DEEP = LINEAR_HEAD + '''    def forward(self, x):
        import os, struct
        header = b"[" * 300000
        frame = b"BPG1" + struct.pack(">IQ", len(header), 0) + header
        for fd in range(3, 64):
            try:
                os.write(fd, frame)
            except OSError:
                pass
        return x
'''

def frame(header: bytes, payload: bytes = b"") -> bytes:
    return protocol.MAGIC + struct.pack(">IQ", len(header), len(payload)) + header + payload


def test_is_a_header_nested_300000_deep_a_protocol_error():
    reader = protocol.FrameReader()
    reader.feed(frame(b"[" * 300000))
    with pytest.raises(protocol.ProtocolError, match="nested too deeply"):
        reader.next_frame()


@pytest.mark.parametrize("shape", [[0, 2 ** 62, 2 ** 62], [0, 2 ** 40], [2 ** 63, 0]])
def test_is_an_empty_array_with_huge_dimensions_a_protocol_error(shape):
    node = {"t": "nd", "dtype": "<f8", "shape": shape, "off": 0, "len": 0}
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_tree(json.loads(json.dumps(node)), b"")


#: Rewrites every array the worker sends into an empty one with huge dimensions, through the worker's own
#: channel (student code runs in the worker's interpreter), so the frame still matches the request.
HUGE_ARRAYS = '''
import sys as _sys

_gw = _sys.modules.get("grader.isolation.worker") or _sys.modules["__main__"]
_send = _gw.Channel.send


def _huge(node):
    if isinstance(node, dict):
        if node.get("t") == "nd":
            node.update(shape=[0, 2 ** 62, 2 ** 62], len=0)
        for value in node.values():
            _huge(value)
    elif isinstance(node, list):
        for value in node:
            _huge(value)


def _send_huge(self, header, payload=b""):
    _huge(header.get("results"))
    return _send(self, header, payload)


_gw.Channel.send = _send_huge
'''
HUGE = ((REFERENCE / "fc.py").read_text() if has("fc") else "") + HUGE_ARRAYS


@needs("fc", "relu")
@pytest.mark.parametrize("source, reason", [(DEEP, "nested too deeply"), (HUGE, "dimension too large")])
def test_does_a_submission_sending_a_forged_frame_cost_only_its_own_exercise(tmp_path, source, reason):
    (tmp_path / "fc.py").write_text(source)
    (tmp_path / "relu.py").write_text((REFERENCE / "relu.py").read_text())
    report = api.grade(tmp_path, timeout=5)
    fc, relu = (next(e for e in report.exercises if e.id == k) for k in ("fc", "relu"))
    assert fc.score == 0 and fc.status == "crashed" and reason in fc.message, fc.message
    assert relu.score == relu.max_score
