"""Public cases on disk: exercises/<id>/public_cases.json.

`grade build` writes, for every stored public trial, its inputs and the
reference's results, so that students can be graded without the reference.
The format is JSON (never pickle): arrays are {"dtype", "shape", "data"}
with data flattened in C order and every float written with repr(), which
round-trips float64 exactly. The file is deterministic for one machine, so
a test can regenerate it and compare.

Across machines the reference's results may differ in the last bits (BLAS
builds sum dot products in different orders), so `drift` compares a stored
file with a fresh one by meaning: trial names, recipes and inputs exactly,
computed values to within `RTOL`/`ATOL`. Inputs are generated without BLAS
reductions so that they are bit-identical everywhere.

    {"format": 1, "exercise": "fc", "generated_by": "...",
     "trials": [{"name": "public-1", "recipe": "main",
                 "inputs": {"W": {...}, "y": {"int": 1}},
                 "expected": {"z": {"kind": "array", ...}, "L": {"kind": "scalar", ...}},
                 "mutants": {"<mutant id>": {...array...}},        (optional)
                 "parts": {"<output>": [{...array...}, ...]}}]}     (optional)

Mutants and parts are the known wrong answers and per-window contributions
of `grader.judging.mutants`, stored so students get the same diagnoses without the
reference.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.errors import CourseError
from grader.judging.values import Value

FORMAT = 1
#: The fixture's file name inside exercises/<id>/.
FILE_NAME = "public_cases.json"
_FLOAT_DTYPES = {"float64", "float32"}
_INT_DTYPES = {"int64", "int32"}
#: Tolerance for computed values (expected, mutants, parts) when comparing fixture files.
RTOL, ATOL = 1e-12, 1e-15
_COMPUTED = ("expected", "mutants", "parts")


@dataclass(frozen=True, eq=False)
class StoredTrial:
    """One public trial as read back from a fixture file."""

    name: str
    recipe: str
    inputs: dict[str, object]
    expected: dict[str, Value]
    mutants: dict[str, np.ndarray] = None
    parts: dict[str, tuple[np.ndarray, ...]] = None

    def __post_init__(self):
        if self.mutants is None:
            object.__setattr__(self, "mutants", {})
        if self.parts is None:
            object.__setattr__(self, "parts", {})


def _finite(x: float, where: str) -> float:
    if not math.isfinite(x):
        raise ValueError(f"{where}: non-finite value {x!r} cannot be stored")
    return x


def _array_json(a: np.ndarray, where: str) -> dict:
    name = a.dtype.name
    if name in _FLOAT_DTYPES:
        data = [_finite(float(v), where) for v in a.ravel()]
    elif name in _INT_DTYPES or name == "bool":
        data = [int(v) for v in a.ravel()]
    else:
        raise ValueError(f"{where}: dtype {name} cannot be stored")
    return {"dtype": name, "shape": list(a.shape), "data": data}


def _array_from(node: dict) -> np.ndarray:
    dtype = node["dtype"]
    if dtype not in _FLOAT_DTYPES | _INT_DTYPES | {"bool"}:
        raise ValueError(f"dtype {dtype!r} is not allowed in a fixture")
    shape = tuple(int(d) for d in node["shape"])
    arr = np.array(node["data"], dtype=dtype)
    if arr.size != math.prod(shape):
        raise ValueError("data does not match shape")
    return arr.reshape(shape)


def input_json(value: object, where: str) -> dict:
    if isinstance(value, np.ndarray):
        return {"array": _array_json(value, where)}
    if type(value) is bool:
        return {"bool": value}
    if type(value) is int:
        return {"int": value}
    if type(value) is float:
        return {"float": _finite(value, where)}
    if value is None:
        return {"none": True}
    raise ValueError(f"{where}: input of type {type(value).__name__} cannot be stored")


def input_from(node: dict) -> object:
    if "array" in node:
        return _array_from(node["array"])
    if "bool" in node:
        return bool(node["bool"])
    if "int" in node:
        return int(node["int"])
    if "float" in node:
        return float(node["float"])
    return None


def value_json(v: Value, where: str) -> dict:
    if v.kind == "array":
        return {"kind": "array", **_array_json(v.array, where)}
    if v.kind == "scalar":
        return {"kind": "scalar", "type": v.type_name, **_array_json(v.array.reshape(1), where)}
    if v.kind == "seq":
        return {"kind": "seq", "type": v.type_name, "items": [value_json(i, where) for i in v.items]}
    if v.kind == "none":
        return {"kind": "none"}
    raise ValueError(f"{where}: the reference returned {v.describe()}, which cannot be stored")


def value_from(node: dict) -> Value:
    kind = node.get("kind")
    if kind == "array":
        arr = _array_from(node)
        return Value("array", arr, arr.dtype.name, shape=arr.shape)
    if kind == "scalar":
        arr = _array_from(node).reshape(())
        return Value("scalar", arr, str(node.get("type", "float")))
    if kind == "seq":
        return Value("seq", None, str(node.get("type", "tuple")), tuple(value_from(i) for i in node["items"]))
    if kind == "none":
        return Value("none")
    raise ValueError(f"unknown value kind {kind!r}")


def dumps(exercise_id: str, trials: list[StoredTrial]) -> str:
    """The fixture text for stored trials; deterministic."""
    def trial_doc(t: StoredTrial) -> dict:
        doc = {"name": t.name, "recipe": t.recipe,
               "inputs": {k: input_json(v, f"{t.name}/{k}") for k, v in t.inputs.items()},
               "expected": {k: value_json(v, f"{t.name}/{k}") for k, v in t.expected.items()}}
        if t.mutants:
            doc["mutants"] = {k: _array_json(np.asarray(v, dtype=np.float64), f"{t.name}/mutant {k}")
                              for k, v in sorted(t.mutants.items())}
        if t.parts:
            doc["parts"] = {k: [_array_json(np.asarray(p, dtype=np.float64), f"{t.name}/parts {k}") for p in v]
                            for k, v in t.parts.items()}
        return doc

    doc = {
        "format": FORMAT,
        "exercise": exercise_id,
        "generated_by": "grade build, from the reference solution; do not edit by hand",
        "trials": [trial_doc(t) for t in trials],
    }
    # Keep each data list on one line: indent the structure, not the numbers.
    blobs: list[str] = []

    def compact(node):
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if k == "data" and isinstance(v, list):
                    blobs.append(json.dumps(v, allow_nan=False))
                    out[k] = f"@@BLOB{len(blobs) - 1}@@"
                else:
                    out[k] = compact(v)
            return out
        if isinstance(node, list):
            return [compact(v) for v in node]
        return node

    text = json.dumps(compact(doc), indent=1, ensure_ascii=False, allow_nan=False)
    for i, blob in enumerate(blobs):
        text = text.replace(f'"@@BLOB{i}@@"', blob, 1)
    return text + "\n"


def load(path: Path, exercise_id: str) -> list[StoredTrial]:
    """Read a fixture file; a missing or malformed file is a CourseError."""
    if not path.is_file():
        raise CourseError(f"the public cases for {exercise_id!r} are missing ({path}); "
                          f"course staff create them with `grade build`")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT or doc.get("exercise") != exercise_id:
            raise ValueError("wrong format version or exercise id")
        out = []
        for t in doc["trials"]:
            out.append(StoredTrial(
                str(t["name"]), str(t["recipe"]),
                {k: input_from(v) for k, v in t["inputs"].items()},
                {k: value_from(v) for k, v in t["expected"].items()},
                {k: _array_from(v) for k, v in t.get("mutants", {}).items()},
                {k: tuple(_array_from(p) for p in v) for k, v in t.get("parts", {}).items()}))
        return out
    except (ValueError, KeyError, TypeError) as exc:
        raise CourseError(f"the public cases file {path} is damaged ({exc}); rebuild it with `grade build`") from None


def drift(stored: str, fresh: str) -> str | None:
    """Why the fixture text `stored` is not equivalent to `fresh`, or None if it is.

    Everything must match exactly except the floats under a trial's
    "expected", "mutants" and "parts", which may differ by RTOL relative
    (ATOL absolute): last-bit differences between BLAS builds, not changes
    to the reference.
    """
    try:
        old, new = json.loads(stored), json.loads(fresh)
    except ValueError as exc:
        return f"not JSON ({exc})"
    todo = [(old, new, "", True)]
    while todo:
        a, b, where, exact = todo.pop()
        if isinstance(a, dict) and isinstance(b, dict):
            if a.keys() != b.keys():
                return f"{where or 'top level'}: keys {sorted(a)} instead of {sorted(b)}"
            computed = re.fullmatch(r"/trials\[\d+\]", where) is not None
            todo.extend((a[k], b[k], f"{where}/{k}", exact and not (computed and k in _COMPUTED)) for k in a)
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                return f"{where}: {len(a)} items instead of {len(b)}"
            todo.extend((x, y, f"{where}[{i}]", exact) for i, (x, y) in enumerate(zip(a, b)))
        elif type(a) is float and type(b) is float and not exact:
            if not math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL):
                return f"{where}: {a!r} instead of {b!r}"
        elif type(a) is not type(b) or a != b:
            return f"{where}: {a!r} instead of {b!r}"
    return None
