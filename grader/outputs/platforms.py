"""The machine report in the formats of the platforms courses already use.

- Gradescope (`results.json` of an autograder): `score`, `execution_time`,
  `output` (markdown), `output_format: "md"`, and `tests[]` with `name`,
  `score`, `max_score`, `status`, `output` and `visibility`. Each check
  gives two tests: a visible one, worth 0 points, with the verdict on the
  public cases (what the student also sees locally), and the scored one,
  `after_published`, with the verdict on public and hidden cases.
- PrairieLearn (external grader `results.json`): `gradable`, `score` in
  0..1, `message`, `output`, and `tests[]` with `name`, `description`,
  `points`, `max_points`, `message` and `output`.

Both are built from `Report`s only: plain data computed in the trusted parent.
Text in them can still come from student code (exception messages, file
names), so every string is escaped for the way the platform shows that field
(`grader.outputs.neutral`); the notes at `gradescope` and `prairielearn` cite the
platforms' documentation for each choice.
"""

from __future__ import annotations

from grader.outputs.neutral import markdown, one_line, visible
from grader.outputs.results import Report


def _markdown_summary(report: Report, public: Report | None) -> str:
    """The top-level `output`, in markdown; every piece of text in it is escaped with `markdown`."""
    lines = ["| Exercise | Status | Public checks passed |", "|---|---|---|"]
    shown = public or report
    for ex in shown.exercises:
        lines.append(f"| {markdown(one_line(ex.id))} | {markdown(one_line(ex.status))} | "
                     f"{ex.passed_checks}/{len(ex.checks)} |")
    lines.append("")
    lines.append("Each check appears twice: its result on the public cases (visible now, 0 points) and its "
                 "graded result on public and hidden cases (visible once the grades are published).")
    notes = [f"- **{markdown(one_line(ex.id))}**: {markdown(ex.message)}" for ex in shown.exercises if ex.message]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def gradescope(report: Report, public: Report | None = None, *, seconds: float = 0.0) -> dict:
    """Gradescope results.json for an instructor-mode report (and optionally the public-only one).

    Formats, from Gradescope's autograder specification ("Output String Formatting",
    https://gradescope-autograders.readthedocs.io/en/latest/specs/, the same text as
    docs/specs.md in github.com/gradescope/autograder_samples): `output_format` applies to the
    top-level `output` only and "md" renders markdown there, so that text is escaped with
    `neutral.markdown`; test outputs and names use `test_output_format` / `test_name_format`,
    whose default "text" renders no HTML, markdown or ANSI. They are declared "text" here rather
    than left to the default, and pass through `neutral.visible` only: markdown escapes would
    show up as stray backslashes in a "text" field.

    Visibility, from the same page ("Controlling Test Case Visibility"): a top-level `visibility`
    applies to every test without its own, and "if test cases are hidden, students will not be
    able to see their total score". The result is `after_published` as a whole; only the
    public-case tests (0 points) are `visible`, and the top-level `output` is built from the
    public report alone. So before grades are published a student sees the public verdicts and
    nothing computed from hidden cases, the total included.
    """
    tests = []
    public_checks = {c.id: c for e in (public.exercises if public else ()) for c in e.checks}
    for ex in report.exercises:
        for check in ex.checks:
            pub = public_checks.get(check.id)
            if pub is not None:
                tests.append({
                    "name": visible(f"{check.id} (public cases)"),
                    "score": 0.0, "max_score": 0.0,
                    "status": "passed" if pub.passed else "failed",
                    "output": _check_text(pub),
                    "visibility": "visible",
                })
            tests.append({
                "name": visible(check.id),
                "score": check.score, "max_score": check.max_score,
                "status": "passed" if check.passed else "failed",
                "output": _check_text(check),
                "visibility": "after_published",
            })
    return {
        "score": report.score,
        "visibility": "after_published",
        "execution_time": max(0, round(seconds)),
        "output": _markdown_summary(report, public),
        "output_format": "md",
        "test_output_format": "text",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _check_text(check) -> str:
    """A check's verdict as plain text (visible(): no control or bidi characters), one part a line."""
    parts = [check.message]
    if check.diagnosis:
        parts.append("Diagnosis: " + ", ".join(check.diagnosis))
    if check.hint:
        parts.append("Hint: " + check.hint)
    return visible("\n".join(parts))


# How PrairieLearn shows these fields: its external-grading guide ("Grading results",
# https://docs.prairielearn.com/externalGrading/, docs/externalGrading.md in
# github.com/PrairieLearn/PrairieLearn) says results are drawn by the <pl-external-grader-results>
# element, whose code (apps/prairielearn/elements/pl-external-grader-results/ in that repository) does:
# - `message` and `output`, top-level and per test, go through ansi2html (Ansi2HTMLConverter with
#   its default escaped=True) into a <pre>: & < > are HTML-escaped by PrairieLearn, but ANSI
#   colours are drawn, a carriage return hides the text before it, and an OSC 8 sequence becomes an
#   <a href> link. So these fields are plain text with no control characters: `visible`.
# - `name`, `description` and `format_errors` are inserted with mustache's escaping {{ }}: plain
#   text, `visible` as well.
# Escaping & < > here too would be shown to students as "&lt;" (PrairieLearn escapes again).


def prairielearn(report: Report) -> dict:
    """PrairieLearn results.json; every text field is plain text, escaped by PrairieLearn itself."""
    tests = []
    for ex in report.exercises:
        for check in ex.checks:
            tests.append({"name": visible(check.id), "description": visible(check.title), "points": check.score,
                          "max_points": check.max_score, "message": _check_text(check), "output": ""})
    score = report.score / report.max_score if report.max_score else 0.0
    message = visible("; ".join(f"{ex.id}: {ex.message}" for ex in report.exercises if ex.message))
    return {"gradable": True, "score": round(score, 6), "message": message,
            "output": f"{report.score:g}/{report.max_score:g} points", "tests": tests}


def prairielearn_ungradable(reason: str) -> dict:
    """PrairieLearn results.json for a submission that cannot be read at all (reason shown as plain text)."""
    reason = visible(reason)
    return {"gradable": False, "score": 0.0, "format_errors": [reason], "message": reason, "tests": []}
