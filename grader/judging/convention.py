"""Layout conventions, read from data, and the other layouts students bring.

A convention says how the checked tensors are laid out, and gives the words
the grader uses to describe them. Each one is a TOML file:

    name = "batch"                       # the file's own name, without .toml
    title = "..."                        # one line
    summary = "..."                      # the rules in words, for reports and documentation
    gradient_layout = "same"             # "row": the gradient with respect to a column (n, 1) is a
                                         #   row (1, n), as in the notes; "same": every gradient has
                                         #   its variable's shape
    batch_axis = 0                       # optional: the axis of the examples (absent: none)
    batch_dim = "N"                      # optional: the name of that dimension (default "N")
    extends = "column"                   # optional: take every key not given here from that one
    [words]                              # str.format templates (fields: FIELDS), see below
    expected_column = "{expected_named}, a column vector"
    [hints]                              # diagnosis code -> hint, for the layout codes
    layout_transposed = "..."

The bundled conventions are `grader/judging/conventions/column.toml` (the course's
numerator layout) and `batch.toml` (rows are examples). A course adds its own,
or changes a bundled one, with `<course root>/conventions/<name>.toml`: a file
named like a bundled convention only needs the keys it changes (its [words]
and [hints] entries replace the bundled ones one by one). The course root is
the one `set_course_root` registered (`grader.authoring.course.find_course` does), or
the one passed to `get_convention`.

Word keys. `expected_<kind>` describes the expected layout of a quantity of
that `Kind` (missing ones fall back to `expected_matrix`). The findings of
`recognise`: for every convention `transposed`, `flat`, `square_broadcast`,
`labels_2d`, `same_size`, `other_variable` (the shape of another gradient of
the same call) and `other_shape`; for gradient_layout "row"
`transposed_row_gradient` (the denominator layout), `transposed_matrix_gradient`,
`transposed_jacobian`, `transposed_windows`, `transposed_column`,
`window_count_few`/`_many`, `per_example_rows`; for "same" `transposed_gradient`,
`transposed_batch` (one column per example), `not_summed` (per-example rows of
a shared parameter's gradient, judged after summing: `summed_how`,
`summed_what`), `keepdims` and `not_reshaped`. `unnamed_of` names a variable
a quantity does not name. Per quantity, `Quantity.words` overrides any
template, and any hint as "hint.<code>".
"""

from __future__ import annotations

import difflib
import enum
import os
import re
import string
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from grader.judging import diagnosis as dx
from grader.errors import CourseError
from grader.judging.values import shape_text

#: The folder of a course that holds its conventions.
COURSE_FOLDER = "conventions"
#: Keys every convention file holds (after merging with the bundled file of the same name, or `extends`).
REQUIRED_KEYS = ("name", "title", "summary", "gradient_layout", "words", "hints")
OPTIONAL_KEYS = ("batch_axis", "batch_dim", "extends")
GRADIENT_LAYOUTS = ("row", "same")
#: Hints every convention gives.
REQUIRED_HINTS = (dx.LAYOUT_TRANSPOSED, dx.WRONG_SHAPE)
#: Word templates every convention gives, and those its gradient layout needs.
COMMON_WORDS = ("unnamed_of", "expected_matrix", "expected_scalar", "expected_labels", "transposed", "flat",
                "square_broadcast", "labels_2d", "same_size", "other_variable", "other_shape")
LAYOUT_WORDS = {
    "row": ("expected_column", "expected_row_gradient", "expected_matrix_gradient", "expected_jacobian",
            "expected_windows", "transposed_row_gradient", "transposed_matrix_gradient", "transposed_jacobian",
            "transposed_windows", "transposed_column", "window_count_few", "window_count_many",
            "per_example_rows"),
    "same": ("expected_batch", "expected_gradient", "transposed_gradient", "transposed_batch", "not_summed",
             "keepdims", "not_reshaped", "summed_how", "summed_what"),
}
#: Every word key the grader knows.
WORD_KEYS = frozenset(COMMON_WORDS) | {k for keys in LAYOUT_WORDS.values() for k in keys}
#: The fields a word template may use.
FIELDS = frozenset({
    "given", "expected",                 # shapes as numpy prints them: (5, 3)
    "given_named", "expected_named",     # with the named dimensions: (5, 3) = (in, out)
    "symbol", "of",                      # "∇_W L", "W"
    "other", "other_of",                 # another gradient of the same call, "∇_w L", and its variable, "w"
    "count", "windows", "last",          # window counts
    "batch_size",                        # the number of per-example rows given
})
#: A missing template falls back along this chain (then to `other_shape`).
_FALLBACK = {"transposed_row_gradient": "transposed", "transposed_matrix_gradient": "transposed",
             "transposed_jacobian": "transposed", "transposed_windows": "transposed",
             "transposed_column": "transposed", "transposed_gradient": "transposed", "transposed_batch": "transposed",
             "summed_how": "", "summed_what": ""}


@dataclass(frozen=True)
class Convention:
    """One layout convention, as read from its TOML file (see the module docstring).

    words/hints: (key, text) pairs, sorted by key. source: the file(s) read.
    """

    name: str
    title: str
    summary: str
    gradient_layout: str
    batch_axis: int | None
    words: tuple[tuple[str, str], ...]
    hints: tuple[tuple[str, str], ...]
    batch_dim: str = "N"
    source: str = ""

    @cached_property
    def word_table(self) -> Mapping[str, str]:
        return MappingProxyType(dict(self.words))

    @cached_property
    def hint_table(self) -> Mapping[str, str]:
        return MappingProxyType(dict(self.hints))

    def word(self, key: str) -> str:
        """The template for `key`, following the fallbacks for a key this convention does not give."""
        table = self.word_table
        seen = key
        while seen not in table:
            if seen.startswith("expected_") and seen != "expected_matrix":
                seen = "expected_matrix"
            elif seen in _FALLBACK:
                seen = _FALLBACK[seen]
                if not seen:
                    return ""
            elif seen != "other_shape":
                seen = "other_shape"
            else:
                raise CourseError(f"the convention {self.name!r} ({self.source}) has no word template {key!r}")
        return table[seen]

    def hint(self, code: str) -> str:
        """This convention's hint for a diagnosis code, or ""."""
        return self.hint_table.get(code, "")


# -- finding and reading convention files ---------------------------------------

_COURSE_ROOT: Path | None = None


def set_course_root(path: str | os.PathLike | None) -> None:
    """Register the course whose conventions/ folder `get_convention` reads (None: bundled ones only)."""
    global _COURSE_ROOT
    _COURSE_ROOT = Path(path).resolve() if path is not None else None


def course_root() -> Path | None:
    """The course registered by `set_course_root`, if any."""
    return _COURSE_ROOT


def _bundled() -> dict[str, object]:
    folder = resources.files("grader.judging").joinpath("conventions")
    return {p.name[:-5]: p for p in folder.iterdir() if p.name.endswith(".toml")} if folder.is_dir() else {}


def _course_files(root: Path | None) -> dict[str, Path]:
    folder = root / COURSE_FOLDER if root is not None else None
    if folder is None or not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.toml")) if p.is_file()}


def known_conventions(course_root: Path | None = None) -> list[str]:
    """The names of the conventions available: the bundled ones and the course's."""
    root = Path(course_root) if course_root is not None else _COURSE_ROOT
    return sorted(set(_bundled()) | set(_course_files(root)))


def get_convention(name: str, course_root: Path | None = None) -> Convention:
    """The convention `name`: the course's file (over the bundled one of that name), else the bundled one.

    course_root defaults to the registered course (`set_course_root`). An
    unknown name, a malformed file or a missing key is a CourseError naming
    the file and the key.
    """
    root = Path(course_root).resolve() if course_root is not None else _COURSE_ROOT
    files = _course_files(root)
    stamp = tuple((str(p), p.stat().st_mtime_ns) for p in files.values())
    return _load(str(name), str(root) if root is not None else "", stamp)


@lru_cache(maxsize=64)
def _load(name: str, root: str, _stamp: tuple) -> Convention:
    data, source = _merged(name, Path(root) if root else None, ())
    return _build(name, data, source)


def _read(path, label: str) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"the convention file {label} is not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CourseError(f"the convention file {label} cannot be read: {exc}") from None


def _merged(name: str, root: Path | None, chain: tuple[str, ...]) -> tuple[dict, str]:
    """The keys of convention `name`: bundled, then the course's over them, then `extends` under both."""
    if name in chain:
        raise CourseError(f"the conventions {' -> '.join(chain + (name,))} extend each other in a circle")
    bundled, course = _bundled(), _course_files(root)
    if name not in bundled and name not in course:
        known = sorted(set(bundled) | set(course))
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise CourseError(f"there is no convention {name!r}.{hint} Known conventions: {', '.join(known)}.")
    layers, sources = [], []
    if name in bundled:
        layers.append(_read(bundled[name], f"{name}.toml (bundled)"))
        sources.append(f"{name}.toml (bundled)")
    if name in course:
        label = f"{COURSE_FOLDER}/{name}.toml"
        layers.append(_read(course[name], label))
        sources.append(label)
    data: dict = {}
    for layer in layers:
        _merge_into(data, layer)
    base = data.pop("extends", None)
    if base is not None:
        if not isinstance(base, str):
            raise CourseError(f"the convention file {sources[-1]}: 'extends' must be the name of a convention")
        under, under_source = _merged(base, root, chain + (name,))
        under.pop("name", None)
        _merge_into(under, data)
        data, sources = under, sources + [under_source]
    return data, ", ".join(sources)


def _merge_into(data: dict, layer: dict) -> None:
    for key, value in layer.items():
        if key in ("words", "hints") and isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value


def _build(name: str, data: dict, source: str) -> Convention:
    where = f"the convention file {source}"
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise CourseError(f"{where}: unknown key {unknown[0]!r} (known keys: "
                          f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)})")
    for key in REQUIRED_KEYS:
        if key not in data:
            raise CourseError(f"{where}: the key {key!r} is missing")
    for key in ("name", "title", "summary", "gradient_layout"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise CourseError(f"{where}: {key!r} must be a non-empty string")
    if data["name"] != name:
        raise CourseError(f"{where}: name = {data['name']!r}, but the file is named {name}.toml")
    layout = data["gradient_layout"]
    if layout not in GRADIENT_LAYOUTS:
        raise CourseError(f"{where}: 'gradient_layout' must be one of {', '.join(map(repr, GRADIENT_LAYOUTS))}, "
                          f"not {layout!r}")
    axis = data.get("batch_axis")
    if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool) or axis < 0):
        raise CourseError(f"{where}: 'batch_axis' must be a whole number >= 0")
    dim = data.get("batch_dim", "N")
    if not isinstance(dim, str) or not dim:
        raise CourseError(f"{where}: 'batch_dim' must be a non-empty string")
    for table in ("words", "hints"):
        if not isinstance(data[table], dict) or not all(isinstance(v, str) for v in data[table].values()):
            raise CourseError(f"{where}: [{table}] must be a table of strings")
    words, hints = data["words"], data["hints"]
    for key in COMMON_WORDS + LAYOUT_WORDS[layout]:
        if key not in words:
            raise CourseError(f"{where}: the word template {key!r} is missing from [words]")
    for key, text in words.items():
        if key not in WORD_KEYS:
            close = difflib.get_close_matches(key, sorted(WORD_KEYS), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise CourseError(f"{where}: [words] has an unknown key {key!r}.{hint}")
        problem = template_problem(text)
        if problem:
            raise CourseError(f"{where}: [words] {key!r}: {problem}")
    for code in REQUIRED_HINTS:
        if code not in hints:
            raise CourseError(f"{where}: the hint {code!r} is missing from [hints]")
    for code in hints:
        if code not in dx.ALL_CODES:
            close = difflib.get_close_matches(code, dx.ALL_CODES, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise CourseError(f"{where}: [hints] has an unknown diagnosis code {code!r}.{hint}")
    return Convention(name, data["title"].strip(), " ".join(data["summary"].split()), layout, axis,
                      tuple(sorted(words.items())), tuple(sorted(hints.items())), dim, source)


def template_problem(text: str) -> str:
    """Why `text` is not a usable word template ("" when it is)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        return f"{exc} (write a literal brace as {{{{ or }}}})"
    for _, field, _, _ in parsed:
        if field is None:
            continue
        if field not in FIELDS:
            return f"unknown field {{{field}}} (known fields: {', '.join(sorted(FIELDS))})"
    return ""


# -- quantities -----------------------------------------------------------------


class Kind(enum.Enum):
    """What a checked tensor is, which decides the layout it must have."""

    # The column convention.
    COLUMN = "column"                    # a vector value (n, 1)
    ROW_GRADIENT = "row_gradient"        # ∇_v L for a column v: (1, n)
    MATRIX_GRADIENT = "matrix_gradient"  # ∇_M L: M's shape
    JACOBIAN = "jacobian"                # ∂y/∂x: (n, m)
    WINDOWS = "windows"                  # one column per window: (K, windows)
    # Both.
    MATRIX = "matrix"                    # any other matrix value
    SCALAR = "scalar"                    # a number
    LABELS = "labels"                    # a flat (B,) vector of labels
    # The batch convention.
    BATCH = "batch"                      # one row per example: (N, ...), e.g. a layer's output, the scores
    GRADIENT = "gradient"                # ∇_v L with v's own shape: `of` names v, `dims` its dimensions


@dataclass(frozen=True)
class Quantity:
    """A checked tensor: its kind, its symbol, and names for its dimensions.

    symbol: how the statement writes it, e.g. "∇_W L".
    dims: names of the dimensions, e.g. ("out", "in"); empty for scalars. In
    the batch convention a dimension named like the convention's batch_dim
    ("N") is the batch axis.
    of: for gradients, the variable it is taken with respect to, e.g. "W".
    batch: the quantity combines a batch of examples (so one row per example
    is a recognisable mistake).
    convention: the name of its layout convention (`get_convention`).
    words: overrides of the convention's word templates and hints for this
    quantity: (key, text) pairs, keyed as the convention's [words] table, or
    "hint.<code>" for a hint.
    """

    kind: Kind
    symbol: str
    dims: tuple[str, ...] = ()
    of: str = ""
    batch: bool = False
    convention: str = "column"
    words: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for key, text in self.words:
            if not (key in WORD_KEYS or (key.startswith("hint.") and key[5:] in dx.ALL_CODES)):
                raise ValueError(f"{self.symbol}: unknown word key {key!r} (a [words] key of the convention, "
                                 f"or 'hint.<diagnosis code>')")
            problem = "" if key.startswith("hint.") else template_problem(text)
            if problem:
                raise ValueError(f"{self.symbol}: the words {key!r}: {problem}")

    @property
    def rules(self) -> Convention:
        """The quantity's convention (read through `get_convention`, with the registered course)."""
        return get_convention(self.convention)

    def word(self, key: str) -> str:
        """The template for `key`: the quantity's own, else its convention's."""
        for k, text in self.words:
            if k == key:
                return text
        return self.rules.word(key)

    def hint(self, code: str) -> str:
        """The hint for `code` this quantity gives: its own ("hint.<code>"), else its convention's, else ""."""
        for k, text in self.words:
            if k == f"hint.{code}":
                return text
        return self.rules.hint(code)

    def expected_words(self, shape: tuple[int, ...]) -> str:
        """The expected layout in words, e.g. "(1, 5) = (1, in), a row: ..."."""
        return self._say(f"expected_{self.kind.value}", (), tuple(shape))

    def _say(self, key: str, given: tuple[int, ...] | None, expected: tuple[int, ...], given_names=(),
             **extra) -> str:
        template = self.word(key)
        fields = dict.fromkeys(FIELDS, "")
        fields.update(
            given=shape_text(given) if given is not None else "",
            expected=shape_text(expected),
            given_named=_named(given, given_names) if given is not None else "",
            expected_named=_named(expected, self.dims),
            symbol=self.symbol,
            of=self.of or self.word("unnamed_of"),
        )
        fields.update({k: str(v) for k, v in extra.items()})
        return template.format_map(fields)


def _named(shape: tuple[int, ...], names: tuple[str, ...]) -> str:
    text = shape_text(shape)
    if names and len(names) == len(shape):
        return f"{text} = ({', '.join(names)}{',' if len(names) == 1 else ''})"
    return text


def _variable(symbol: str) -> str:
    """The variable of a gradient's symbol: "w" for "∇_w L", else the symbol itself."""
    m = re.match(r"∇_?\{?([^\s}]+)\}?", symbol)
    return m.group(1) if m else symbol


@dataclass(frozen=True)
class LayoutFinding:
    """A recognised layout that differs from the convention.

    codes: diagnosis codes ("layout_transposed" or "wrong_shape", then a more specific one).
    words: what the student did, in words.
    rearranged: the given array brought into the expected layout, if there is
         one unambiguous way (so its values can still be judged).
    how/what: when `rearranged` is more than a rearrangement (a sum), how it
         was made and what is then the only thing wrong, in words.
    """

    codes: tuple[str, ...]
    words: str
    rearranged: object = None
    how: str = ""
    what: str = ""


_TRANSPOSED = {Kind.ROW_GRADIENT: "transposed_row_gradient", Kind.MATRIX_GRADIENT: "transposed_matrix_gradient",
               Kind.JACOBIAN: "transposed_jacobian", Kind.WINDOWS: "transposed_windows",
               Kind.COLUMN: "transposed_column", Kind.BATCH: "transposed_batch"}


def recognise(quantity: Quantity, given_shape: tuple[int, ...], expected_shape: tuple[int, ...],
              given=None, *, others: Mapping[str, tuple[int, ...]] = MappingProxyType({})) -> LayoutFinding:
    """Name the layout of a wrongly shaped answer, in the words of the quantity's convention.

    `given` (the array, optional) is used to build the rearranged version
    for a value check in the expected layout. `others`: the expected shapes
    of the other gradients returned by the same call, by symbol (e.g.
    {"∇_w L": (4, 3)}), so an answer in the place of another is named.
    """
    g, e = tuple(given_shape), tuple(expected_shape)
    q, k = quantity, quantity.kind
    dims = tuple(q.dims) if len(q.dims) == len(e) else ()

    def say(key: str, names=(), **extra) -> str:
        return q._say(key, g, e, names, **extra)

    if len(g) == 2 and len(e) == 2 and g == e[::-1] and g != e:
        fix = given.T if given is not None else None
        key = _TRANSPOSED.get(k, "transposed")
        if k is Kind.GRADIENT:
            key = "transposed_batch" if _has_batch(q, dims) else "transposed_gradient"
        return LayoutFinding((dx.LAYOUT_TRANSPOSED,), say(key, dims[::-1]), fix)
    if k is Kind.GRADIENT and not _has_batch(q, dims):
        if len(g) == len(e) + 1 and g[1:] == e and g[0] == 1:
            fix = given.reshape(e) if given is not None else None
            return LayoutFinding((dx.WRONG_SHAPE,), say("keepdims", ("1",) + dims if dims else ()), fix)
        if len(g) == len(e) + 1 and g[1:] == e and g[0] > 1:
            fix = given.sum(axis=0) if given is not None else None
            return LayoutFinding((dx.WRONG_SHAPE, dx.NOT_SUMMED), say("not_summed", (q.rules.batch_dim,) + dims
                                                                      if dims else (), batch_size=g[0]),
                                 fix, q.word("summed_how"), q.word("summed_what"))
    if k is Kind.GRADIENT and len(e) >= 3 and len(g) == 2 and g[0] == e[0] and g[1] == _size(e[1:]):
        fix = given.reshape(e) if given is not None else None
        names = (dims[0], "·".join(dims[1:])) if dims else ()
        return LayoutFinding((dx.WRONG_SHAPE, dx.NOT_RESHAPED), say("not_reshaped", names), fix)
    for other, shape in others.items():
        if tuple(shape) == g and g != e:
            return LayoutFinding((dx.WRONG_SHAPE,), say("other_variable", other=other, other_of=_variable(other)))
    size_g = _size(g)
    if k is Kind.WINDOWS and len(g) == 2 and len(e) == 2 and g[0] == e[0] and 0 < abs(g[1] - e[1]) <= 2:
        key = "window_count_few" if g[1] < e[1] else "window_count_many"
        return LayoutFinding((dx.WRONG_SHAPE, dx.WINDOW_OFFSET),
                             say(key, count=abs(g[1] - e[1]), windows=e[1], last=e[1] - 1))
    if len(g) == 1 and size_g == _size(e) and len(e) >= 1:
        fix = given.reshape(e) if given is not None else None
        return LayoutFinding((dx.WRONG_SHAPE,), say("flat"), fix)
    if len(g) == 2 and len(e) == 2 and g[0] == g[1] and 1 in e and max(e) == g[0] > 1:
        return LayoutFinding((dx.WRONG_SHAPE,), say("square_broadcast"))
    if q.batch and k is Kind.ROW_GRADIENT and len(g) == 2 and len(e) == 2 and e[0] == 1 \
            and g[1] == e[1] and g[0] > 1:
        return LayoutFinding((dx.WRONG_SHAPE,), say("per_example_rows"))
    if k is Kind.LABELS and len(g) == 2 and size_g == _size(e) and 1 in g:
        fix = given.reshape(e) if given is not None else None
        return LayoutFinding((dx.WRONG_SHAPE,), say("labels_2d"), fix)
    if len(g) == len(e) == 2 and size_g == _size(e):
        return LayoutFinding((dx.WRONG_SHAPE,), say("same_size"))
    return LayoutFinding((dx.WRONG_SHAPE,), say("other_shape"))


def _has_batch(q: Quantity, dims: tuple[str, ...]) -> bool:
    """Does the variable itself have the batch axis (x (N, D)), unlike a parameter (W (D, M), b (M,))?"""
    if not dims:
        return False
    axis = q.rules.batch_axis or 0
    return axis < len(dims) and dims[axis] == q.rules.batch_dim


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n
