"""Attack: terminal sequences and HTML in an exception message, aimed at PrairieLearn's results page.

PrairieLearn draws results.json with its <pl-external-grader-results>
element: `message` and `output` (top-level and per test) go through ansi2html
into a <pre>, which escapes & < > but draws ANSI colours, lets a carriage
return hide the text before it and turns an OSC 8 sequence into an <a href>
link; `name` and `description` are escaped by its template. So the danger is
not HTML (PrairieLearn escapes it) but raw control characters. A submission
raises a message holding a fake green "100%" (SGR), an OSC 8 link, a carriage
return over a failure line, a C1 CSI, a right-to-left override and an <img>
tag. Does any raw control character reach any string of results.json, and
is each shown as a visible escape? (That the <img> is left for PrairieLearn
to escape, once, is a question in tests/test_platforms.py.)
"""

from __future__ import annotations

import json

from grader import api

from conftest import needs

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")

PAYLOAD_SOURCE = ('"FAILED\\r\\x1b[32mScore: 100%\\x1b[0m \\x1b]8;;http://evil.example/\\x07click\\x1b]8;;\\x07 '
                  '\\x9b31m \\u202eevil\\u202c <img src=http://evil.example/t.png>"')

SOURCE = f"""
import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        raise ValueError({PAYLOAD_SOURCE})

    def backward(self, dz):
        raise ValueError({PAYLOAD_SOURCE})

    def jacobian(self):
        raise ValueError({PAYLOAD_SOURCE})
"""

#: Control characters ansi2html acts on (ESC starts colours and OSC 8 links, CR hides text), and the others.
RAW = {"ESC": "\x1b", "carriage return": "\r", "BEL": "\x07", "C1 CSI": "\x9b", "right-to-left override": "\u202e"}


def prairielearn_results(tmp_path) -> dict:
    folder = tmp_path / "attacker"
    folder.mkdir()
    (folder / "fc.py").write_text(SOURCE, encoding="utf-8")
    report = api.grade(folder, exercise="fc", timeout=5)
    out = tmp_path / "results.json"
    api.write_json(report, out, format="prairielearn")
    return json.loads(out.read_text(encoding="utf-8"))


def strings(node):
    """Every string in a JSON document, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def test_does_no_raw_control_character_reach_any_field(tmp_path):
    results = prairielearn_results(tmp_path)
    leaked = {name for text in strings(results) for name, raw in RAW.items() if raw in text}
    assert not leaked, f"ansi2html would act on: {sorted(leaked)}"


def test_is_each_sequence_shown_as_a_visible_escape_in_the_test_message(tmp_path):
    forward = next(t for t in prairielearn_results(tmp_path)["tests"] if t["name"] == "fc.forward")
    for shown in ("FAILED\\r\\x1b[32mScore: 100%\\x1b[0m", "\\x1b]8;;http://evil.example/\\x07click", "\\x9b31m",
                  "\\u202eevil\\u202c"):
        assert shown in forward["message"], shown
