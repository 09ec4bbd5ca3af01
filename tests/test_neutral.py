"""Questions about making untrusted text safe to show (grader.outputs.neutral)."""

from __future__ import annotations

import csv
import html as html_module
import io
import unicodedata

import pytest
from markdown_it import MarkdownIt

from grader.outputs.neutral import csv_cell, html, markdown, one_line, visible

#: Every class of character visible() must show as an escape, with one example of each.
ACTING = {
    "ESC (starts CSI, OSC and other sequences)": "\x1b",
    "carriage return": "\r",
    "bell": "\x07",
    "backspace": "\x08",
    "NUL": "\x00",
    "vertical tab": "\x0b",
    "form feed": "\x0c",
    "file separator": "\x1c",
    "DEL": "\x7f",
    "C1 NEL": "\x85",
    "C1 CSI": "\x9b",
    "C1 OSC": "\x9d",
    "C1 ST": "\x9c",
    "left-to-right embedding": "\u202a",
    "right-to-left override": "\u202e",
    "pop directional formatting": "\u202c",
    "left-to-right isolate": "\u2066",
    "pop directional isolate": "\u2069",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "Arabic letter mark": "\u061c",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "lone high surrogate": "\ud800",
    "lone low surrogate": "\udfff",
}

ORDINARY = ("Linear.forward(x) raised ValueError: shapes (3,5) and (3,1) not aligned: 5 (dim 1) != 3 (dim 0)\n"
            "\tC:\\Users\\me\\hw\\fc.py, line 12\n"
            "∇_W L = x ∇_z L; σ(u)(1 − σ(u)); 日本語; émoji 🎉; [bold]x[/bold]")


def markdown_html(source: str) -> str:
    """CommonMark with raw HTML allowed, plus GFM tables and strikethrough."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(source)


def paragraph_text(rendered: str) -> str:
    """The text of a single rendered <p>...</p>, entities decoded."""
    assert rendered.startswith("<p>") and rendered.endswith("</p>\n"), rendered
    return html_module.unescape(rendered[3:-5])


@pytest.mark.parametrize("name", sorted(ACTING))
def test_does_visible_replace_each_acting_character_by_a_printable_escape(name):
    char = ACTING[name]
    shown = visible(f"a{char}b")
    assert char not in shown
    assert shown.startswith("a") and shown.endswith("b") and shown[1] == "\\" and len(shown) > 3
    assert all(c.isprintable() for c in shown)


def test_does_visible_show_an_escape_sequence_as_text():
    assert visible("\x1b[2J") == "\\x1b[2J"
    assert visible("\x1b]0;title\x07") == "\\x1b]0;title\\x07"


def test_does_visible_name_a_carriage_return_and_the_bidi_override_as_python_would():
    assert visible("x\ry") == "x\\ry"
    assert visible("\u202e") == "\\u202e"
    assert visible("\x9b") == "\\x9b"


def test_does_visible_keep_newlines_and_tabs():
    assert visible("a\nb\tc") == "a\nb\tc"


def test_does_visible_leave_every_other_character_of_the_basic_planes_alone():
    acting = set(ACTING.values())
    controls = {chr(c) for c in range(0x20)} | {"\x7f"} | {chr(c) for c in range(0x80, 0xA0)}
    kept = "".join(chr(c) for c in range(0x10000)
                   if chr(c) not in controls and chr(c) not in acting and not 0xD800 <= c < 0xE000
                   and unicodedata.bidirectional(chr(c)) not in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI",
                                                                 "FSI", "PDI", "LRM", "RLM", "ALM")
                   and c not in (0x2028, 0x2029)) + "\n\t"
    assert visible(kept) == kept


def test_is_ordinary_text_unchanged_by_visible_and_by_visible_twice():
    assert visible(ORDINARY) == ORDINARY
    assert visible(visible(ORDINARY)) == ORDINARY


def test_is_visible_idempotent_on_text_with_acting_characters():
    text = "".join(ACTING.values()) + ORDINARY
    once = visible(text)
    assert visible(once) == once


def test_does_visible_keep_backslashes_as_they_are():
    assert visible("a\\x1b\\n\\\\") == "a\\x1b\\n\\\\"


def test_does_visible_turn_other_values_into_text():
    assert visible(42) == "42"
    assert visible(None) == "None"
    assert visible(ValueError("\x1b")) == "\\x1b"


def test_does_one_line_also_show_newlines_and_tabs():
    assert one_line("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert "\n" not in one_line(ORDINARY) and "\t" not in one_line(ORDINARY)


def test_does_html_escape_tags_quotes_and_ampersands_after_visible():
    assert html('<img src="x" onerror=\'y\'>&\x1b') == "&lt;img src=&quot;x&quot; onerror=&#x27;y&#x27;&gt;&amp;\\x1b"


@pytest.mark.parametrize("attack, forbidden", [
    ("# All 42 checks passed: 57/57", "<h1>"),
    ("All checks passed\n===", "<h1>"),
    ("Score\n---", "<h2>"),
    ("![pixel](http://evil.example/p.png)", "<img"),
    ("[click](http://evil.example/)", "<a "),
    ("<http://evil.example/>", "<a "),
    ("<img src=x onerror=alert(1)>", "<img"),
    ("<script>alert(1)</script>", "<script"),
    ("<!-- hidden -->", "<!--"),
    ("**bold** and *em*", "<strong>"),
    ("_em_", "<em>"),
    ("~~struck~~", "<del>"),
    ("`code`", "<code>"),
    ("- item", "<li>"),
    ("1. item", "<ol>"),
    ("3) item", "<ol>"),
    ("> quote", "<blockquote>"),
    ("| a | b |\n|---|---|\n| 57 | 57 |", "<table>"),
    ("[click][ref]\n\n[ref]: http://evil.example/", "<a "),
])
def test_does_markdown_stop_each_construct_from_forming(attack, forbidden):
    rendered = markdown_html(markdown(attack))
    assert forbidden not in rendered, rendered


@pytest.mark.parametrize("text", [ORDINARY.replace("\n", " ").replace("\t", " "),
                                  "& &amp; &#60; < > \\ \\\\ *a* _b_ [c](d) # e | f | ~g~ `h` !i 1. j",
                                  "\x1b[31mred\x1b[0m \u202eevil"])
def test_does_markdown_render_back_to_exactly_the_visible_text(text):
    assert paragraph_text(markdown_html(markdown(text))) == visible(text)


def test_does_markdown_keep_a_table_row_in_its_cell():
    source = "| a | b |\n|---|---|\n| " + markdown("x | y") + " | z |"
    rendered = markdown_html(source)
    assert rendered.count("<td>") == 2 and "x | y" in rendered


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_does_csv_cell_defuse_each_formula_lead_character(lead):
    cell = csv_cell(lead + "HYPERLINK(\"http://evil.example\",\"x\")")
    assert cell.startswith("'")
    assert "\t" not in cell and "\r" not in cell


def test_does_csv_cell_leave_ordinary_text_and_numbers_alone():
    assert csv_cell("alice_smith") == "alice_smith"
    assert csv_cell(-3.5) == -3.5 and csv_cell(7) == 7
    assert csv_cell("a=b") == "a=b"


def test_does_a_csv_cell_stay_one_cell_on_one_row():
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([csv_cell("a\nb,\"c\"\r=d"), 1])
    assert buf.getvalue().count("\n") == 1
    assert next(csv.reader(io.StringIO(buf.getvalue())))[0] == one_line("a\nb,\"c\"\r=d")


@pytest.mark.parametrize("function", [visible, one_line, markdown, html])
def test_does_each_function_finish_on_a_megabyte_of_hostile_text(function):
    # About 1.3 million characters, a third of them to escape: a quadratic algorithm would take hours.
    text = "\x1b[31m<b>#x</b>\u202e\r\n" * 80_000
    out = function(text)
    assert "\x1b" not in out and "\u202e" not in out and len(out) > len(text)
