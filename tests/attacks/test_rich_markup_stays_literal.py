"""Attack: rich markup and :emoji: codes in text a student controls.

rich reads `[bold red]…[/]`, `[link=…]…[/link]` and `:thumbs_up:` in plain
strings it prints, so student text printed as a str could restyle the
report, plant a hyperlink, or change what is shown. Here the text arrives
through the language named in a notebook's metadata (quoted in the one-line
error of `grade`) and through the exercise id given to
`grader.submissions.notebook.check` in a notebook. Is it printed exactly as written, with
no hyperlink or emoji made from it? (The report draws exception messages as
rich Text, never markup: tests/test_report.py asks that on both consoles.)
"""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from grader.cli import main
from grader.submissions.notebook import check

MARKUP = "[bold red]fake[/bold red] [link=http://evil.example/]click[/link] :thumbs_up:"


def consoles():
    return {
        "text": Console(file=io.StringIO(), width=100, color_system=None, force_terminal=False),
        "terminal": Console(file=io.StringIO(), width=100, force_terminal=True, color_system="truecolor"),
    }


def assert_literal(text: str):
    for part in MARKUP.split(" "):      # each part on its own: a panel may wrap the message between them
        assert part in text, (part, text)
    assert "\N{THUMBS UP SIGN}" not in text, "an :emoji: code was replaced"
    assert "\x1b]8;" not in text, "a hyperlink was made from student text"


def test_is_markup_in_a_notebooks_language_printed_literally_by_grade(tmp_path, capsys):
    doc = {"nbformat": 4, "nbformat_minor": 5,
           "cells": [{"cell_type": "code", "id": "c0", "metadata": {}, "outputs": [], "execution_count": None,
                      "source": "x = 1"}],
           "metadata": {"kernelspec": {"name": "k", "language": MARKUP, "display_name": "k"}}}
    path = tmp_path / "fc.ipynb"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main([str(path)]) == 2
    err = capsys.readouterr().err
    assert "is a notebook for" in err
    assert_literal(err)


@pytest.mark.parametrize("kind", ["text", "terminal"])
def test_is_markup_in_the_exercise_id_given_to_check_printed_literally(kind):
    console = consoles()[kind]
    assert check(MARKUP, console=console) is None       # outside Jupyter: a one-line refusal naming the id
    text = console.file.getvalue()
    assert "Cannot check" in text
    assert_literal(text)
