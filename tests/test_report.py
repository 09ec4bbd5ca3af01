"""Questions about the human report (grader.outputs.report), rendered on a pinned console."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from grader import api
from grader.outputs.report import render

from conftest import (ASSIGNMENTS, BUGGY, BUNDLED, REFERENCE, TEMPLATE, assignment_ids, exercise_points, needs,
                      require)

FIRST = assignment_ids()[0]


def rendered(report, width=100, **kwargs) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, legacy_windows=False, highlight=False, **kwargs)
    render(report, console)
    return buf.getvalue()


@pytest.fixture(scope="module")
def buggy_report():
    require(*BUNDLED)
    return api.grade(BUGGY)


@pytest.mark.course
@pytest.mark.parametrize("assignment", [a.id for a in ASSIGNMENTS])
def test_does_the_title_name_the_assignment_when_the_course_has_several(assignment):
    a = next(a for a in ASSIGNMENTS if a.id == assignment)
    report = api.grade(TEMPLATE, assignment=assignment)
    title = " ".join(rendered(report).split("┏")[0].split())      # the title, above the table (it may wrap)
    if len(ASSIGNMENTS) > 1:
        assert title == f"Backprop grader: {a.title} ({a.id})"
    else:
        assert title == "Backprop grader"


def test_does_the_summary_table_list_every_exercise_with_points(buggy_report):
    text = rendered(buggy_report)
    assert "│ fc           │ graded │    7/8 │   9/11 │" in text
    assert "│ relu         │ graded │    6/7 │  10/11 │" in text
    assert "total" in text and f"{buggy_report.score:g}/{buggy_report.max_score:g}" in text


def test_does_a_layout_panel_say_expected_and_given_in_words(buggy_report):
    text = rendered(buggy_report)
    assert "✗ fc.backward.dW  0/2" in text
    assert "Expected: (3, 5) = (out, in), the shape of W itself" in text
    assert "Given:    (5, 3), the shape of Wᵀ: the transposed-matrix convention ∇_W L = x ∇_z L" in text
    assert "Diagnosis: layout_transposed" in text


def test_does_a_crash_panel_show_the_students_line_and_the_numpy_hint(buggy_report):
    text = rendered(buggy_report)
    assert "Dot.forward(w, x) raised TypeError" in text
    assert "logistic.py, line 13, in forward" in text and "return float(w.T @ x)" in text
    assert "use .item() to take the number out" in text


def test_does_a_value_panel_show_the_worst_entry(buggy_report):
    text = rendered(buggy_report)
    assert "✗ scanning_mlp.backward.dW1  0/1" in text
    assert "Worst entry: [" in text and "in case public-" in text


def test_does_the_report_never_print_the_reference_solution(buggy_report):
    text = rendered(buggy_report)
    for line in (REFERENCE / "scanning_mlp.py").read_text().splitlines():
        code = line.strip()
        if len(code) > 25 and not code.startswith(('"""', "#")) and "def " not in code:
            assert code not in text


@pytest.mark.course
def test_are_not_attempted_checks_collapsed_into_one_panel():
    text = rendered(api.grade(TEMPLATE, exercise=FIRST))
    assert f"{FIRST}: not attempted yet  0/{exercise_points(FIRST):g}" in text and text.count("╭") == 1


@pytest.mark.course
@pytest.mark.parametrize("source", ["import os\nos._exit(3)\n", "class Broken(:\n    pass\n"])
def test_is_a_file_that_cannot_load_shown_in_one_panel_listing_every_check(grade_sources, source):
    report = grade_sources({FIRST: source}, exercise=FIRST)
    text = rendered(report)
    n_checks = len(report.exercises[0].checks)
    assert f"{FIRST}: every check failed the same way  0/" in text and text.count("╭") == 1
    assert f"This is why all {n_checks} checks below failed" in text
    assert all(f"• {c.id}" in text for c in report.exercises[0].checks)


def test_are_checks_that_fail_for_different_reasons_kept_in_their_own_panels(buggy_report):
    assert "every check failed the same way" not in rendered(buggy_report)


@pytest.mark.course
def test_does_the_footer_say_hidden_cases_run_at_grading_in_student_mode():
    text = rendered(api.grade(TEMPLATE, exercise=FIRST, mode="student"))
    assert "Hidden cases with new inputs and shapes run at official grading." in " ".join(text.split())


def test_does_no_color_output_carry_no_escape_codes(buggy_report, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    buf = io.StringIO()
    console = Console(file=buf, width=100, force_terminal=True, legacy_windows=False)
    render(buggy_report, console)
    import re
    colour = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-79]|9[0-7]|38;)")
    assert "\x1b[" in buf.getvalue()               # styles such as bold remain...
    assert not colour.search(buf.getvalue())       # ...but no colour


def test_does_a_narrow_terminal_still_get_every_panel(buggy_report):
    text = rendered(buggy_report, width=50)
    assert all(len(line) <= 50 for line in text.splitlines())
    assert text.count("✗") == rendered(buggy_report).count("✗")


@needs("fc")
def test_is_student_text_never_interpreted_as_markup(grade_sources):
    from conftest import patch, reference_source

    src = patch(reference_source("fc"), "        self.x = x\n        return self.W @ x + self.b\n",
                "        raise ValueError('[bold red]fake[/bold red] [link=http://x]y[/link]')\n")
    text = rendered(grade_sources({"fc": src}))
    assert "[bold red]fake[/bold red]" in text


def test_are_the_notebook_notes_shown_literally_under_the_table(buggy_report):
    from dataclasses import replace

    note = "notebook hw.ipynb: dropped cell 2: a statement: print('[bold]hi[/bold]')"
    text = rendered(replace(buggy_report, notes=(note,)), width=200)
    assert note in text
    assert text.index("total") < text.index(note)


@needs("fc")
@pytest.mark.parametrize("terminal", [False, True], ids=["text", "truecolor"])
def test_is_markup_in_a_students_exception_printed_literally_on_either_console(grade_sources, terminal):
    from conftest import patch, reference_source

    markup = "[bold red]fake[/bold red] [link=http://evil.example/]click[/link] :thumbs_up:"
    src = patch(reference_source("fc"), "        self.x = x\n        return self.W @ x + self.b\n",
                f"        raise ValueError({markup!r})\n")
    buf = io.StringIO()
    options = {"force_terminal": True, "color_system": "truecolor"} if terminal else \
        {"force_terminal": False, "color_system": None}
    render(grade_sources({"fc": src}, exercise="fc"), Console(file=buf, width=100, **options))
    text = buf.getvalue()
    assert all(part in text for part in markup.split(" ")), text
    assert "\N{THUMBS UP SIGN}" not in text and "\x1b]8;" not in text      # no emoji, no hyperlink made


def test_does_printed_output_keep_a_carriage_return_visible_instead_of_splitting_at_it():
    from grader.outputs.results import ExerciseResult, Report

    ex = ExerciseResult("fc", "t", "crashed", 0.0, 1.0, (), message="died", output="first\rOVER\nlast\x1b[2J\n")
    text = rendered(Report("attacker", "student", (ex,)))
    assert "first\\rOVER" in text and "last\\x1b[2J" in text
    assert "\r" not in text and "\x1b" not in text


def batch_summary(rows, *, changed: int = 0, lms: dict | None = None) -> str:
    """render_batch's output for a class given as (id, stem, report doc) rows, on a 120-column console."""
    from pathlib import Path

    from grader.batch import BatchResult, _summary_stats
    from grader.outputs.class_stats import class_stats
    from grader.outputs.report import render_batch

    stats = class_stats(rows, max_score=5)
    summary = {"students": len(stats.students), "graded": stats.graded, "errors": stats.errors, "max_score": 5,
               "mean": stats.mean, "median": stats.median,
               "histogram": [{"from_percent": b.from_percent, "to_percent": b.to_percent, "students": b.students}
                             for b in stats.histogram],
               "isolation": {"layers": ["process"], "level": "process", "skipped": {}}, **_summary_stats(stats)}
    if lms is not None:
        summary["lms"] = lms
    result = BatchResult(Path("results"), len(rows), len(rows), 0, stats.errors, 1.0, summary, changed=changed)
    buf = io.StringIO()
    render_batch(result, Console(file=buf, width=120, color_system=None, legacy_windows=False, highlight=False))
    return buf.getvalue()


def test_does_the_class_summary_show_every_misconception_per_student_and_no_stub_codes():
    from test_class_stats import doc, hung, stub

    many = ["wrong_mask", "sign_flipped", "sigmoid_derivative", "layout_transposed", "scaled", "zero",
            "overwrote_accumulation", "window_offset", "stale_cache", "label_ignored"]
    rows = [(f"stub{k}", f"stub{k}", stub(f"stub{k}")) for k in range(20)]
    rows += [(f"hang{k}", f"hang{k}", hung(f"hang{k}")) for k in range(3)]
    rows += [(f"s{k}", f"s{k}", doc(f"s{k}", {"relu.backward": (code,)})) for k, code in enumerate(many)]
    text = batch_summary(rows)
    table = text[text.index("What to reteach"):text.index("Not misconceptions")]
    assert all(f"│ {code}" in table for code in many), table
    assert not [code for code in ("not_implemented", "timeout", "missing") if f"│ {code} " in table]
    assert "Not misconceptions (students): not_implemented 20, timeout 3." in text


def test_does_the_class_summary_end_with_the_students_who_need_attention_by_name():
    from test_class_stats import doc, hung, unreadable

    rows = [("José Müller ❤", "Jos_M_ller~0123456789ab", hung("x")),
            ("[bold]王[/bold]\x1b[2J", "w", unreadable("w")), ("ok", "ok", doc("ok"))]
    text = batch_summary(rows)
    tail = text[text.index("Needs attention: 2 students"):]
    assert "José Müller ❤ (relu): stopped: the time limit of 2 s was reached" in tail
    assert "look at Jos_M_ller~0123456789ab.txt" in tail and "--timeout" in tail
    assert "[bold]王[/bold]\\x1b[2J: the submission could not be read" in tail and "\x1b" not in text
    assert "Could not be graded" in tail and tail.index("Could not be graded") < tail.index("Timed out")
    assert "Graded 2 of 3 students" in text and "1 could not be graded" in text


def test_does_the_class_summary_say_how_many_were_graded_again_and_who_the_lms_files_leave_out():
    from test_class_stats import doc

    rows = [("ann", "ann", doc("ann")), ("bob", "bob", doc("bob"))]
    assert "graded before" not in batch_summary(rows)
    lms = {"canvas": "gradebook-canvas.csv", "moodle": "gradebook-moodle.csv", "column": "HW1", "points": 100,
           "no_submission": [{"student": "zoe", "lms_id": "z9", "name": "Zoe"}], "not_in_roster": ["=cmd\x1b[2J"],
           "unusable_ids": [], "left_out_errors": []}
    text = batch_summary(rows, changed=1, lms=lms)
    assert "1 of the 2 graded now had been graded before, from other files or under other options" in text
    assert "gradebook-canvas.csv (Canvas) and gradebook-moodle.csv (Moodle), column 'HW1' out of 100" in text
    assert "Roster students with no submission (left blank, so the LMS keeps their grade) (1): zoe (z9)" in text
    assert "Submissions not in the roster (not exported) (1): =cmd\\x1b[2J" in text and "\x1b" not in text


# -- one root cause, one panel; messages in the student's terms ------------------------------------------------


def flat(text: str) -> str:
    """The rendered text as one line: panel borders and line breaks become single spaces."""
    return " ".join(text.replace("│", " ").split())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """graded(exercise, source, **kwargs) -> Report, each source graded once per module."""
    from conftest import write_submission

    cache = {}

    def run(exercise: str, source: str, **kwargs):
        require(exercise)
        key = (exercise, source, tuple(sorted(kwargs.items())))
        if key not in cache:
            folder = write_submission(tmp_path_factory.mktemp("sub"), {exercise: source})
            cache[key] = api.grade(folder, exercise=exercise, **kwargs)
        return cache[key]

    return run


def _broadcast_in_backward():
    from conftest import patch, reference_source

    return patch(reference_source("scanning_mlp"), "            self.db3 += g_out\n", "            self.db3 += g_out.T\n")


def _self_x_never_stored():
    from conftest import patch, reference_source

    src = patch(reference_source("fc"), "        self.x = x\n        return self.W", "        return self.W")
    return patch(src, "self.dW = dz.T @ self.x.T", "self.dW = (self.x @ dz).T")


def test_does_one_broadcast_error_in_backward_give_one_panel_listing_every_check_it_cost(graded):
    from grader.outputs.results import group_by_cause

    report = graded("scanning_mlp", _broadcast_in_backward())
    text = rendered(report)
    (cause,) = group_by_cause(report.exercises[0])
    assert len(cause.checks) >= 7 and "line 87" in cause.summary
    assert text.count("non-broadcastable output operand") == 1 and text.count("╭") == 1
    assert f"This one problem cost {len(cause.checks)} checks:" in text
    assert all(f"• {c.id}" in text for c in cause.checks)
    assert "a row (1, 2)" in flat(text)          # the hint speaks of rows and columns


def test_does_a_self_x_never_stored_say_self_x_is_none_once(graded):
    text = flat(rendered(graded("fc", _self_x_never_stored())))
    assert text.count("Input operand 0 does not have enough dimensions") == 1
    assert "`self.x`, has no dimensions: most likely it is still None" in text


def test_does_the_json_list_each_shared_cause_with_the_checks_it_cost(graded):
    import jsonschema

    from grader.outputs.schema import REPORT

    doc = graded("fc", _self_x_never_stored()).to_dict()
    jsonschema.validate(doc, REPORT)
    (cause,) = doc["exercises"][0]["causes"]
    assert cause["checks"] == ["fc.backward.dx", "fc.backward.dW", "fc.backward.db"]
    assert cause["summary"].startswith("your code raised ValueError: matmul: Input operand 0")


def test_does_the_summary_show_no_error_for_a_crashed_exercise_instead_of_zero(graded):
    row = next(line for line in rendered(graded("fc", _self_x_never_stored())).splitlines() if "│ fc " in line)
    assert "0.0e+00" not in row and row.rstrip().endswith("– │")


def test_is_a_scalar_value_shown_without_an_empty_index_and_the_scale_hint_without_1_over_b(graded):
    from conftest import patch, reference_source

    src = patch(reference_source("logistic"), "return dp * self.p * (1.0 - self.p)", "return self.p * (1.0 - self.p)")
    text = flat(rendered(graded("logistic", src)))
    assert "Worst entry: []" not in text and "Value: in case public-1: expected" in text
    assert "1/B" not in text and "mean versus a sum" not in text and "constant factor" in text


def test_is_a_matrix_with_the_right_values_told_its_type_is_wrong_not_its_layout(graded):
    from conftest import patch, reference_source

    src = patch(reference_source("fc"), "        return dz @ self.W\n", "        return np.matrix(dz @ self.W)\n")
    text = flat(rendered(graded("fc", src)))
    assert "only the layout is wrong" not in text and "so only the type is wrong" in text
    assert "returned ∇_x L returned" not in text


def test_does_the_relu_scale_panel_reuse_the_misconception_the_backward_panel_names(graded):
    from conftest import patch, reference_source

    text = flat(rendered(graded("relu", patch(reference_source("relu"), "mask = (self.x > 0).T",
                                                  "mask = (self.x < 0).T"))))
    scale = text[text.index("✗ relu.scale"):]
    assert "no simple pattern" not in scale and "Diagnosis: wrong_mask" in scale


def test_are_internal_names_kept_out_of_student_messages(graded):
    from conftest import patch, reference_source
    from grader.isolation.script import In, call

    assert call("dX_1", "net", "backward", In("dO_a")).describe() == "net.backward(dO)"
    src = patch(reference_source("fc"), "        return self.W @ x + self.b\n", "        return self.W @ x\n")
    report = graded("fc", src, mode="student")
    text = flat(rendered(report))
    assert "'main'" not in text and "skipped" not in text and "numerical-gradient" not in text
    assert "not compared with finite differences of your forward" in text


def test_does_the_footer_never_say_checks_ran_on_zero_cases(graded):
    text = flat(rendered(graded("relu", "class ReLU(:\n    pass\n", mode="student")))
    assert "0 public cases" not in text and "No case could run on your code yet." in text
