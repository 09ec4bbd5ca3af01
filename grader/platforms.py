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
"""

from __future__ import annotations

from grader.results import Report


def _markdown_summary(report: Report, public: Report | None) -> str:
    lines = ["| Exercise | Status | Public checks passed |", "|---|---|---|"]
    shown = public or report
    for ex in shown.exercises:
        lines.append(f"| {ex.id} | {ex.status} | {ex.passed_checks}/{len(ex.checks)} |")
    lines.append("")
    lines.append("Each check appears twice: its result on the public cases (visible now, 0 points) and its "
                 "graded result on public and hidden cases (visible once the grades are published).")
    notes = [f"- **{ex.id}**: {ex.message}" for ex in shown.exercises if ex.message]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def gradescope(report: Report, public: Report | None = None, *, seconds: float = 0.0) -> dict:
    """Gradescope results.json for an instructor-mode report (and optionally the public-only one)."""
    tests = []
    public_checks = {c.id: c for e in (public.exercises if public else ()) for c in e.checks}
    for ex in report.exercises:
        for check in ex.checks:
            pub = public_checks.get(check.id)
            if pub is not None:
                tests.append({
                    "name": f"{check.id} (public cases)",
                    "score": 0.0, "max_score": 0.0,
                    "status": "passed" if pub.passed else "failed",
                    "output": _check_text(pub),
                    "visibility": "visible",
                })
            tests.append({
                "name": check.id,
                "score": check.score, "max_score": check.max_score,
                "status": "passed" if check.passed else "failed",
                "output": _check_text(check),
                "visibility": "after_published",
            })
    return {
        "score": report.score,
        "execution_time": max(0, round(seconds)),
        "output": _markdown_summary(report, public),
        "output_format": "md",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _check_text(check) -> str:
    parts = [check.message]
    if check.diagnosis:
        parts.append("Diagnosis: " + ", ".join(check.diagnosis))
    if check.hint:
        parts.append("Hint: " + check.hint)
    return "\n".join(parts)


def prairielearn(report: Report) -> dict:
    """PrairieLearn results.json."""
    tests = []
    for ex in report.exercises:
        for check in ex.checks:
            tests.append({"name": check.id, "description": check.title, "points": check.score,
                          "max_points": check.max_score, "message": _check_text(check), "output": ""})
    score = report.score / report.max_score if report.max_score else 0.0
    message = "; ".join(f"{ex.id}: {ex.message}" for ex in report.exercises if ex.message)
    return {"gradable": True, "score": round(score, 6), "message": message,
            "output": f"{report.score:g}/{report.max_score:g} points", "tests": tests}


def prairielearn_ungradable(reason: str) -> dict:
    """PrairieLearn results.json for a submission that cannot be read at all."""
    return {"gradable": False, "score": 0.0, "format_errors": [reason], "message": reason, "tests": []}
