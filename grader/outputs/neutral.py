"""Making untrusted text safe to show: one function per kind of place it is shown.

Text a submission controls (exception messages, printed output, traceback
lines, class and file names) reaches terminals, text files, JSON, markdown,
HTML and spreadsheets. None of these may interpret it. The rule here is to
remove nothing silently and interpret nothing: a character that would act
instead of being seen (an escape sequence, a carriage return, a bidi
override) is replaced by a visible escape such as `\\x1b`, `\\r` or
`\\u202e`, so staff see that the student's text held it. Every function
here runs in time linear in the length of its input.

    visible(text)   terminals, .txt and JSON: control and bidi characters shown as escapes
    one_line(text)  visible(), and newlines and tabs shown as escapes too
    markdown(text)  visible(), then escaped to render literally as CommonMark/GFM
    html(text)      visible(), then escaped for HTML text and attribute values
    csv_cell(value) one_line(), and a leading formula character defused

Standard library only, so any module may import it.
"""

from __future__ import annotations

import html as _html
import numbers

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: Code points replaced by visible(): C0 controls other than tab and newline, DEL, C1 controls; the
#: bidi controls (embeddings, overrides, isolates, marks, the Arabic letter mark); the line and
#: paragraph separators (they break lines where no newline is seen); every surrogate (a str holding
#: one can only hold it unpaired, and it cannot be encoded).
_SHOWN = ([c for c in range(0x20) if chr(c) not in "\t\n"] + [0x7F] + list(range(0x80, 0xA0))
          + list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A)) + [0x200E, 0x200F, 0x061C]
          + [0x2028, 0x2029] + list(range(0xD800, 0xE000)))
_VISIBLE = {c: _escape(c) for c in _SHOWN}
_ONE_LINE = {**_VISIBLE, ord("\n"): "\\n", ord("\t"): "\\t"}

#: CommonMark lets any ASCII punctuation character be backslash-escaped; escaping all of them means
#: no inline or block construct (heading, list, quote, table, link, image, emphasis, code, autolink,
#: setext underline, footnote, math) can start. & < > become entities, so no HTML tag or entity forms.
#: Where this matters: Gradescope renders a results.json `output` whose format is "md" as markdown
#: ("Output String Formatting" in https://gradescope-autograders.readthedocs.io/en/latest/specs/ :
#: "md" will render some basic markdown); which features it supports is not documented, so raw HTML
#: and GitHub's extensions are assumed to be among them.
_MARKDOWN = {ord(c): "\\" + c for c in "!\"#$%'()*+,-./:;=?@[\\]^_`{|}~"}
_MARKDOWN.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"})

#: OWASP CSV injection: a cell starting with one of these may be read as a formula by a spreadsheet.
_FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def visible(text: object) -> str:
    """`text` (made a str with str() if it is not one) with every character that acts instead of
    showing replaced by a printable escape; nothing is removed and nothing else changes.

    Replaced: C0 control characters except newline and tab (so ESC, CR, BEL, backspace), DEL, C1
    control characters U+0080–U+009F (U+009B alone starts a CSI), the bidi controls U+202A–U+202E,
    U+2066–U+2069, U+200E, U+200F and U+061C, the separators U+2028 and U+2029, and surrogates.
    The escapes are written as in Python source: `\\r` for CR, `\\xNN` below U+0100 and `\\uNNNN`
    above, so ESC [ 2 J becomes the seven printable characters `\\x1b[2J`. Backslashes already in
    the text are left as they are, so visible(visible(t)) == visible(t) and ordinary text comes back
    unchanged.
    """
    if not isinstance(text, str):
        text = str(text)
    return text.translate(_VISIBLE)


def one_line(text: object) -> str:
    """visible(text) with newlines and tabs also shown as `\\n` and `\\t`: always a single line."""
    if not isinstance(text, str):
        text = str(text)
    return text.translate(_ONE_LINE)


def markdown(text: object) -> str:
    """visible(text), escaped so CommonMark and GitHub-flavoured markdown render exactly that text.

    `&`, `<` and `>` become the entities `&amp;`, `&lt;` and `&gt;` (so no HTML tag, comment or
    entity can form even where raw HTML is allowed), and every other ASCII punctuation character
    gets a backslash in front, including the backslash itself and the `.` or `)` after a leading
    number. So no heading, list, quote, table cell, link, image, emphasis, code span or autolink
    can be formed by the text. Newlines are kept: the text may run over several lines.
    """
    return visible(text).translate(_MARKDOWN)


def html(text: object) -> str:
    """visible(text), then html.escape(quote=True): safe as HTML text and in a quoted attribute."""
    return _html.escape(visible(text), quote=True)


def csv_cell(value: object) -> object:
    """A value ready for csv.writer: numbers unchanged, anything else one_line(str(value)),
    with a single quote put in front when it starts with =, +, -, @, a tab or a carriage return.

    The quote follows OWASP's advice on CSV injection: a spreadsheet then shows the cell as text
    instead of evaluating it as a formula. The lead character is looked at before one_line, so a
    leading tab or carriage return (which one_line turns into `\\t` or `\\r`) still gets the quote.
    """
    if isinstance(value, numbers.Number):
        return value
    raw = value if isinstance(value, str) else str(value)
    cell = one_line(raw)
    return "'" + cell if raw.startswith(_FORMULA_LEADS) else cell


__all__ = ["visible", "one_line", "markdown", "html", "csv_cell"]
