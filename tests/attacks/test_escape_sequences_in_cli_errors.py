"""Attack: control sequences in what a submission file says about itself, quoted in `grade`'s error line.

When a notebook cannot be graded, `grade` prints one line on stderr naming
what is wrong, and that line quotes the notebook's own metadata (the
language of its kernel). A notebook whose language holds a screen clear, a
window-title change, a carriage return, a newline and a right-to-left
override would act on the TA's terminal. Is the error still one line, with
every one of them shown as a visible escape?
"""

from __future__ import annotations

import json

from grader.cli import main

LANGUAGE = "\x1b[2J\x1b]0;pwned\x07 \rOVER\nSECOND LINE \x9b31m \u202eevil\u202c"
RAW = {"ESC": "\x1b", "BEL": "\x07", "carriage return": "\r", "C1 CSI": "\x9b", "right-to-left override": "\u202e"}


def test_is_the_error_line_one_line_with_the_sequences_shown_as_escapes(tmp_path, capsys):
    doc = {"nbformat": 4, "nbformat_minor": 5,
           "cells": [{"cell_type": "code", "id": "c0", "metadata": {}, "outputs": [], "execution_count": None,
                      "source": "x = 1"}],
           "metadata": {"kernelspec": {"name": "k", "language": LANGUAGE, "display_name": "k"}}}
    path = tmp_path / "fc.ipynb"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert "is a notebook for" in err
    leaked = [name for name, raw in RAW.items() if raw in err]
    assert not leaked, f"raw in the error line: {leaked}"
    assert err.count("\n") == 1, err
    for shown in ("\\x1b[2J\\x1b]0;pwned\\x07", "\\rOVER\\nSECOND LINE", "\\x9b31m", "\\u202eevil\\u202c"):
        assert shown in err, shown
