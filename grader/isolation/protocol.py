"""The pickle-free wire format between the trusted parent and the worker.

A frame is:

    MAGIC (4 bytes) | header length (u32, big-endian) | payload length (u64) |
    header (UTF-8 JSON object) | payload (raw bytes)

The header describes values; numeric arrays travel as raw little-endian bytes
in the payload, referenced by offset and length. Nothing is ever pickled, and
the parent decodes a frame only after checking every size against a cap and
every dtype against an allowlist of plain numeric dtypes.

Values are encoded as tagged trees ("t" is the tag):
    {"t": "nd", "dtype": "<f8", "shape": [3, 1], "off": 0, "len": 24}
    {"t": "nd_sub", "cls": "matrix", ...same fields as nd...}
    {"t": "nd_bad", "dtype": "object", "shape": [3]}        (no data)
    {"t": "scalar", "py": "float", ...same fields as nd, shape []...}
    {"t": "seq", "kind": "tuple", "items": [...]}
    {"t": "none"}
    {"t": "other", "type": "dict"}

This module is imported by the worker too, so it depends on numpy and the
standard library only.
"""

from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

MAGIC = b"BPG1"
_PREFIX = struct.Struct(">4sIQ")
PREFIX_SIZE = _PREFIX.size

#: Largest header the parent accepts, in bytes.
MAX_HEADER = 1 << 20
#: Largest payload the parent accepts by default, in bytes.
MAX_PAYLOAD = 256 << 20
#: Deepest nesting of sequences a value may have.
MAX_DEPTH = 4
#: Most items a sequence may have.
MAX_ITEMS = 64
#: Most dimensions an array may have.
MAX_NDIM = 8
#: Largest dimension, and most elements, an array may have (zero-size arrays included).
MAX_DIM = 1 << 31
MAX_ELEMENTS = 1 << 31
#: Longest string field kept from the worker.
MAX_TEXT = 4000

#: Plain numeric dtypes an array may have on the wire (all little-endian).
ALLOWED_DTYPES = frozenset(
    {"<f8", "<f4", "<f2", "<i8", "<i4", "<i2", "|i1", "<u8", "<u4", "<u2", "|u1", "|b1", "<c16", "<c8"}
)


class ProtocolError(Exception):
    """A frame or value broke the wire format (size, dtype, shape or structure)."""


# ---------------------------------------------------------------------------
# Framing


def frame_buffers(header: dict, payload: "PayloadBuilder | bytes" = b"") -> list:
    """One frame as a list of buffers for os.writev: prefix and header, then the payload's parts.

    The parts are not joined, so array bytes are never copied just to be framed.
    """
    parts = payload.parts() if isinstance(payload, PayloadBuilder) else [payload]
    head = json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")
    size = sum(len(p) for p in parts)
    return [_PREFIX.pack(MAGIC, len(head), size) + head] + [p for p in parts if len(p)]


def pack_frame(header: dict, payload: "PayloadBuilder | bytes" = b"") -> bytes:
    """Serialise one frame into a single bytes object (small frames and tests)."""
    return b"".join(frame_buffers(header, payload))


#: Most buffers handed to one os.writev call.
_IOV = 64


def write_some(fd: int, buffers: list) -> list:
    """One os.writev of the first buffers; returns the buffers still to write.

    Every buffer must be bytes or a byte-format memoryview (len() = bytes).
    Raises whatever os.writev raises (BlockingIOError on a full non-blocking pipe).
    """
    n = os.writev(fd, buffers[:_IOV])
    i = 0
    while i < len(buffers) and n >= len(buffers[i]):
        n -= len(buffers[i])
        i += 1
    rest = buffers[i:]
    if n:
        rest[0] = memoryview(rest[0])[n:]
    return rest


#: Payloads at least this large are read straight into a buffer of their own.
DIRECT_PAYLOAD = 1 << 16


class FrameReader:
    """Incremental frame parser with caps; feed bytes (or read from a descriptor), take complete frames.

    Raises ProtocolError as soon as a prefix announces a frame over the caps,
    so an untrusted sender can never make the reader buffer more than
    `max_header + max_payload` bytes. A payload of DIRECT_PAYLOAD bytes or
    more gets its own bytearray, which `read_from` fills straight from the
    descriptor; next_frame hands that bytearray over as the payload (small
    payloads come back as bytes).
    """

    def __init__(self, *, max_header: int = MAX_HEADER, max_payload: int = MAX_PAYLOAD):
        self._buf = bytearray()
        self._pos = 0                   # start of unread data in _buf
        self._max_header = max_header
        self._max_payload = max_payload
        self._need: tuple[int, int] | None = None
        self._head: dict | None = None  # header of the frame whose large payload is being filled
        self._body: bytearray | None = None
        self._filled = 0

    def _filling(self) -> bool:
        return self._body is not None and self._filled < len(self._body)

    def feed(self, data: bytes) -> None:
        if self._filling():
            take = min(len(data), len(self._body) - self._filled)
            self._body[self._filled:self._filled + take] = data[:take]
            self._filled += take
            data = data[take:]
            if not data:
                return
        if self._pos and self._pos == len(self._buf):
            self._buf.clear()
            self._pos = 0
        elif self._pos > (1 << 20):
            del self._buf[:self._pos]
            self._pos = 0
        self._buf += data

    def read_from(self, fd: int, chunk: int = 1 << 20) -> int:
        """Read once from `fd` into the reader; returns the number of bytes read (0 at end of file)."""
        if self._filling():
            with memoryview(self._body) as view:
                n = os.readv(fd, [view[self._filled:]])
            self._filled += n
            return n
        data = os.read(fd, chunk)
        self.feed(data)
        return len(data)

    def next_frame(self) -> tuple[dict, bytes | bytearray] | None:
        """Return (header, payload) for the next complete frame, or None."""
        if self._body is not None:
            if self._filling():
                return None
            frame = (self._head, self._body)
            self._head, self._body, self._filled = None, None, 0
            return frame
        buf, pos = self._buf, self._pos
        if self._need is None:
            if len(buf) - pos < PREFIX_SIZE:
                return None
            magic, hlen, plen = _PREFIX.unpack_from(buf, pos)
            if magic != MAGIC:
                raise ProtocolError("bad frame magic")
            if hlen > self._max_header:
                raise ProtocolError(f"frame header of {hlen} bytes is over the cap")
            if plen > self._max_payload:
                raise ProtocolError(f"frame payload of {plen} bytes is over the cap")
            self._need = (hlen, plen)
        hlen, plen = self._need
        start = pos + PREFIX_SIZE + hlen
        if plen >= DIRECT_PAYLOAD:
            if len(buf) < start:
                return None
            with memoryview(buf) as view:
                header = _header(view[pos + PREFIX_SIZE:start])
                have = min(len(buf) - start, plen)
                body = bytearray(plen)
                body[:have] = view[start:start + have]
            self._pos, self._need = start + have, None
            self._head, self._body, self._filled = header, body, have
            return self.next_frame()
        if len(buf) < start + plen:
            return None
        with memoryview(buf) as view:
            header = _header(view[pos + PREFIX_SIZE:start])
            payload = bytes(view[start:start + plen])
        self._pos, self._need = start + plen, None
        return header, payload


def _header(raw: memoryview) -> dict:
    """Parse a frame header; anything but a JSON object is a ProtocolError (nesting and numbers included)."""
    try:
        header = json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ProtocolError(f"frame header is not JSON: {str(exc)[:200]}") from None
    except (RecursionError, MemoryError):
        raise ProtocolError("frame header is nested too deeply") from None
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not a JSON object")
    return header


# ---------------------------------------------------------------------------
# Encoding (used by the worker for student values, and by the parent for inputs)


class PayloadBuilder:
    """Collects raw array bytes and hands out (offset, length) references.

    copy=True (the default) snapshots each array's bytes when it is added,
    so later changes to the array cannot reach the payload: the worker needs
    that, since a student's later step may modify an earlier result in place.
    copy=False keeps a read-only view of the array instead; the parent uses
    it for a trial's inputs, which it never modifies.
    """

    def __init__(self, *, copy: bool = True) -> None:
        self._parts: list = []
        self._size = 0
        self._copy = copy

    def mark(self) -> tuple[int, int]:
        return len(self._parts), self._size

    def rewind(self, mark: tuple[int, int]) -> None:
        """Forget everything added since `mark` (a value that failed half-way)."""
        del self._parts[mark[0]:]
        self._size = mark[1]

    def add(self, data: bytes) -> tuple[int, int]:
        off = self._size
        self._parts.append(data)
        self._size += len(data)
        return off, len(data)

    def add_array(self, wire: np.ndarray) -> tuple[int, int]:
        """Add a C-contiguous little-endian array's bytes (see `copy`)."""
        if self._copy:
            return self.add(wire.tobytes())
        view = memoryview(wire.reshape(-1).view(np.uint8))
        return self.add(view.toreadonly())

    def parts(self) -> list:
        return list(self._parts)

    def bytes(self) -> bytes:
        return b"".join(self._parts)


def _wire_array(arr: np.ndarray) -> np.ndarray:
    """A C-contiguous little-endian copy (or view) of a plain numeric array."""
    dt = arr.dtype
    if dt.byteorder == ">" or (dt.byteorder == "=" and not _LITTLE):
        arr = arr.astype(dt.newbyteorder("<"))
    if not arr.flags.c_contiguous:
        arr = arr.copy(order="C")   # np.ascontiguousarray would turn 0-d into 1-d
    return arr


_LITTLE = np.little_endian


def _dtype_str(arr: np.ndarray) -> str:
    s = arr.dtype.str
    if s[0] == "=":
        s = ("<" if _LITTLE else ">") + s[1:]
    return s


def _encode_array_fields(arr: np.ndarray, payload: PayloadBuilder) -> dict:
    wire = _wire_array(arr)
    off, length = payload.add_array(wire)
    return {"dtype": _dtype_str(wire), "shape": list(wire.shape), "off": off, "len": length}


def _short(text: object) -> str:
    s = str(text)
    return s if len(s) <= 200 else s[:197] + "..."


def encode_value(obj: object, payload: PayloadBuilder, depth: int = 0) -> dict:
    """Encode an arbitrary Python object as a value tree plus payload bytes.

    Never raises for odd objects: anything that is not a plain number, array,
    tuple, list or None becomes {"t": "other"} with its type name.
    """
    if obj is None:
        return {"t": "none"}
    if isinstance(obj, (bool, int, float)) and type(obj) in (bool, int, float):
        if type(obj) is int and not (-(2**63) <= obj < 2**63):
            return {"t": "other", "type": "int (too large)"}
        arr = np.asarray(obj)
        return {"t": "scalar", "py": type(obj).__name__, **_encode_array_fields(arr, payload)}
    if isinstance(obj, np.generic) and type(obj).__module__ == "numpy":
        arr = np.asarray(obj)
        if arr.dtype.str.lstrip("<>=|") in {"f16", "f12"}:  # long double
            arr = arr.astype(np.float64)
        if _dtype_str(_wire_array(arr)) not in ALLOWED_DTYPES:
            return {"t": "other", "type": "numpy." + type(obj).__name__}
        return {"t": "scalar", "py": "numpy." + type(obj).__name__, **_encode_array_fields(arr, payload)}
    if isinstance(obj, np.ndarray):
        exact = type(obj) is np.ndarray
        try:
            plain = obj.view(np.ndarray) if not exact else obj
        except Exception:  # a hostile subclass may break .view
            return {"t": "other", "type": _short(type(obj).__name__)}
        if plain.dtype.kind in "biufc" and plain.dtype.byteorder == ">":
            plain = plain.astype(plain.dtype.newbyteorder("<"))
        dtstr = _dtype_str(plain)
        if dtstr not in ALLOWED_DTYPES:
            if plain.dtype.kind == "f" and plain.dtype.itemsize > 8:
                # long double: keep the values, report the dtype honestly
                fields = _encode_array_fields(plain.astype(np.float64), payload)
                return {"t": "nd_bad", "dtype": _short(plain.dtype.name), "shape": list(plain.shape),
                        "data": fields}
            return {"t": "nd_bad", "dtype": _short(plain.dtype.name), "shape": list(plain.shape)}
        if plain.ndim > MAX_NDIM:
            return {"t": "nd_bad", "dtype": _short(plain.dtype.name), "shape": list(plain.shape)[:MAX_NDIM]}
        fields = _encode_array_fields(plain, payload)
        if exact:
            return {"t": "nd", **fields}
        return {"t": "nd_sub", "cls": _short(type(obj).__name__), **fields}
    if isinstance(obj, (tuple, list)) and type(obj) in (tuple, list):
        if depth >= MAX_DEPTH:
            return {"t": "other", "type": type(obj).__name__ + " (nested too deeply)"}
        items = list(obj)
        if len(items) > MAX_ITEMS:
            return {"t": "other", "type": f"{type(obj).__name__} of {len(items)} items"}
        return {"t": "seq", "kind": type(obj).__name__,
                "items": [encode_value(item, payload, depth + 1) for item in items]}
    return {"t": "other", "type": _short(type(obj).__module__ + "." + type(obj).__qualname__)}


# ---------------------------------------------------------------------------
# Decoding (parent side: strict)


def _as_int(x: object, what: str) -> int:
    if type(x) is not int:
        raise ProtocolError(f"{what} is not an integer")
    return x


def _text(x: object, what: str) -> str:
    if not isinstance(x, str):
        raise ProtocolError(f"{what} is not a string")
    return x[:MAX_TEXT]


def decode_array_fields(node: dict, payload: bytes, *, writable: bool = False) -> np.ndarray:
    """Rebuild a plain float/int/bool/complex ndarray from nd fields, strictly.

    The parent gets a read-only view of the payload; writable=True (the
    worker, for a student's inputs) gives a private writable array: a view
    of a bytearray payload, which belongs to this frame alone, or a copy.
    """
    dtype = node.get("dtype")
    if dtype not in ALLOWED_DTYPES:
        raise ProtocolError(f"dtype {dtype!r} is not allowed on the wire")
    shape = node.get("shape")
    if not isinstance(shape, list) or len(shape) > MAX_NDIM:
        raise ProtocolError("bad array shape")
    dims = [_as_int(d, "array dimension") for d in shape]
    if any(d < 0 for d in dims):
        raise ProtocolError("negative array dimension")
    if any(d > MAX_DIM for d in dims):
        raise ProtocolError("array dimension too large")
    if math.prod(max(d, 1) for d in dims) > MAX_ELEMENTS:
        raise ProtocolError("array shape too large")
    dt = np.dtype(dtype)
    count = math.prod(dims)
    off = _as_int(node.get("off"), "array offset")
    length = _as_int(node.get("len"), "array length")
    if length != count * dt.itemsize or off < 0 or off + length > len(payload):
        raise ProtocolError("array bytes do not match its dtype and shape")
    try:
        arr = np.frombuffer(payload, dtype=dt, count=count, offset=off).reshape(dims)
    except (ValueError, TypeError, MemoryError) as exc:
        raise ProtocolError(f"array cannot be rebuilt: {str(exc)[:200]}") from None
    if writable:
        return arr if arr.flags.writeable else arr.copy()
    arr.flags.writeable = False
    return arr


def decode_tree(node: object, payload: bytes, depth: int = 0) -> dict:
    """Validate a value tree and replace array fields by real arrays.

    Returns a normalised tree: {"t": ..., "array": ndarray, ...}. Anything
    malformed raises ProtocolError; the caller treats that as a crashed worker.
    """
    if not isinstance(node, dict):
        raise ProtocolError("value node is not an object")
    tag = node.get("t")
    if tag == "none":
        return {"t": "none"}
    if tag in ("nd", "nd_sub", "scalar"):
        arr = decode_array_fields(node, payload)
        out = {"t": tag, "array": arr}
        if tag == "nd_sub":
            out["cls"] = _text(node.get("cls", "?"), "class name")[:200]
        if tag == "scalar":
            if arr.ndim != 0:
                raise ProtocolError("scalar value is not 0-dimensional")
            out["py"] = _text(node.get("py", "?"), "scalar type")[:200]
        return out
    if tag == "nd_bad":
        shape = node.get("shape")
        if not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape):
            raise ProtocolError("bad array shape")
        out = {"t": "nd_bad", "dtype": _text(node.get("dtype", "?"), "dtype")[:200], "shape": tuple(shape)}
        if isinstance(node.get("data"), dict):
            out["array"] = decode_array_fields(node["data"], payload)
        return out
    if tag == "seq":
        if depth >= MAX_DEPTH:
            raise ProtocolError("value nested too deeply")
        items = node.get("items")
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise ProtocolError("bad sequence")
        kind = node.get("kind")
        if kind not in ("tuple", "list"):
            raise ProtocolError("bad sequence kind")
        return {"t": "seq", "kind": kind, "items": [decode_tree(i, payload, depth + 1) for i in items]}
    if tag == "other":
        return {"t": "other", "type": _text(node.get("type", "?"), "type name")[:200]}
    raise ProtocolError(f"unknown value tag {tag!r}")
