"""Attack: C1 controls and bidi overrides in the machine report (`grade --json FILE`).

The JSON report is written with `ensure_ascii=False`: JSON escapes C0
controls (ESC becomes \\u001b) but writes C1 controls such as U+009B (a
one-byte CSI) and bidi overrides (U+202E, U+2066…) as they are. Anyone who
`cat`s the file, or a dashboard that shows its strings, then gets the
student's sequence acting. A submission raises such a message and defines a
class named with it. Does the file hold any of these characters raw, or only
their visible escapes (which every consumer decodes to the text `\\x9b`)?
"""

from __future__ import annotations

import json

from grader.cli import main

from conftest import needs

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")

PAYLOAD_SOURCE = '"\\x9b2J \\x9d0;pwned\\x9c \\u202etxt.exe\\u202c \\u2066isolate\\u2069 \\x1b[2J"'

SOURCE = f"""
import numpy as np


class Linear:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        raise ValueError({PAYLOAD_SOURCE})

    def backward(self, dz):
        return type({PAYLOAD_SOURCE}, (), {{}})()

    def jacobian(self):
        raise ValueError({PAYLOAD_SOURCE})
"""

RAW = {"C1 CSI": "\x9b", "C1 OSC": "\x9d", "C1 ST": "\x9c", "right-to-left override": "\u202e",
       "left-to-right isolate": "\u2066", "ESC": "\x1b"}


def json_report(tmp_path, capsys) -> str:
    folder = tmp_path / "attacker"
    folder.mkdir()
    (folder / "fc.py").write_text(SOURCE, encoding="utf-8")
    out = tmp_path / "report.json"
    assert main([str(folder), "--exercise", "fc", "--timeout", "5", "--json", str(out)]) == 1
    capsys.readouterr()
    return out.read_text(encoding="utf-8")


def test_does_the_json_file_hold_no_raw_c1_or_bidi_character(tmp_path, capsys):
    text = json_report(tmp_path, capsys)
    decoded = json.dumps(json.loads(text), ensure_ascii=False)   # also after a consumer decodes \\u001b
    leaked = {name for name, raw in RAW.items() if raw in text or raw in decoded}
    assert not leaked, f"raw in the JSON report: {sorted(leaked)}"


def test_are_they_shown_as_visible_escapes_in_messages_and_type_names(tmp_path, capsys):
    doc = json.loads(json_report(tmp_path, capsys))
    checks = {c["id"]: c for c in doc["exercises"][0]["checks"]}
    shown = "\\x9b2J \\x9d0;pwned\\x9c \\u202etxt.exe\\u202c \\u2066isolate\\u2069 \\x1b[2J"
    assert shown in checks["fc.forward"]["message"]
    assert "\\u202etxt.exe\\u202c" in checks["fc.backward.dx"]["message"]   # the class named with the payload
