"""Attack: markdown and HTML in an exception message, aimed at Gradescope's markdown `output`.

Gradescope renders the top-level `output` of results.json as markdown
(`output_format: "md"`). A submission that fails to load with a message
holding a fake "All 42 checks passed: 57/57" heading, a tracking-pixel image
(markdown and <img>), a link, bold text and a setext heading underline would
put all of them on the student's (and the TA's) results page; a fake green
"PASSED" (SGR) and a right-to-left override ride along. Rendered with a
CommonMark renderer allowing raw HTML, does any construct form from the
student's text, does the text still read literally, and are the tests'
outputs plain text without control characters?
"""

from __future__ import annotations

import html
import json

from markdown_it import MarkdownIt

from grader import api

from conftest import needs

#: These attacks are written against the bundled exercise(s) fc.
pytestmark = needs("fc")

MESSAGE = ("\\n# All 42 checks passed: 57/57\\n"
           "![pixel](http://evil.example/p.png) <img src=http://evil.example/t.png> "
           "[details](http://evil.example/) **Score: 57/57** <!-- hidden -->\\n"
           "Grade: A\\n===\\n\\x1b[32mPASSED\\x1b[0m \\u202eevil")

#: fc.py that fails to import with the message above (the exercise's message then quotes it).
SOURCE = f'raise ValueError("{MESSAGE}")\n'


def gradescope_results(tmp_path) -> dict:
    folder = tmp_path / "attacker"
    folder.mkdir()
    (folder / "fc.py").write_text(SOURCE, encoding="utf-8")
    report = api.grade(folder, exercise="fc", timeout=5)
    out = tmp_path / "results.json"
    api.write_json(report, out, format="gradescope")
    return json.loads(out.read_text(encoding="utf-8"))


def rendered(markdown_text: str) -> str:
    """How a CommonMark renderer with raw HTML allowed (and GFM tables) draws the text."""
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render(markdown_text)


def test_does_no_heading_image_link_or_tag_form_from_the_student_text(tmp_path):
    results = gradescope_results(tmp_path)
    assert results["output_format"] == "md"
    page = rendered(results["output"])
    assert "evil.example" in page                          # the student's text is on the page...
    for construct in ("<h1", "<h2", "<img", "<a ", "<!--", "<strong>Score"):
        assert construct not in page, f"{construct} formed from student text:\n{page}"


def test_does_the_student_text_read_literally_once_rendered(tmp_path):
    page = html.unescape(rendered(gradescope_results(tmp_path)["output"]))
    for literal in ("# All 42 checks passed: 57/57", "![pixel](http://evil.example/p.png)",
                    "<img src=http://evil.example/t.png>", "[details](http://evil.example/)", "**Score: 57/57**"):
        assert literal in page, literal


def test_is_every_test_output_plain_text_free_of_control_characters(tmp_path):
    results = gradescope_results(tmp_path)
    assert "\x1b" not in results["output"] and "\u202e" not in results["output"]
    for test in results["tests"]:
        fmt = test.get("output_format", results.get("test_output_format", "text"))
        name_fmt = test.get("name_format", results.get("test_name_format", "text"))
        # Gradescope's "text" format renders no HTML, markdown or ANSI; "md" would need escaping.
        assert (fmt, name_fmt) == ("text", "text"), test
        for raw in ("\x1b", "\u202e"):
            assert raw not in test["output"] and raw not in test["name"], test
        assert "PASSED" in test["output"]
