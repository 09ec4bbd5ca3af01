"""Questions about the exercise notebooks `grade build` writes (grader.authoring.handout)."""

from __future__ import annotations

import ast

import nbformat
import pytest

from conftest import COURSE, EXERCISE_FILES, TEMPLATE
from grader import api
from grader.submissions.conversion import SKIP_TAG, definitions, read_notebook
from grader.authoring.course import find_course
from grader.authoring.handout import make_notebook

#: Every test here reads the notebooks of the course under test.
pytestmark = pytest.mark.course
IDS = sorted(EXERCISE_FILES)


def notebook_path(ex_id):
    return COURSE.exercises_dir / ex_id / f"{ex_id}.ipynb"


@pytest.mark.parametrize("ex_id", IDS)
def test_is_every_exercise_notebook_valid_nbformat_4(ex_id):
    nb = nbformat.read(str(notebook_path(ex_id)), as_version=nbformat.NO_CONVERT)
    assert nb.nbformat == 4
    nbformat.validate(nb)


@pytest.mark.parametrize("ex_id", IDS)
def test_does_the_committed_notebook_match_what_grade_build_writes(ex_id):
    """Notebooks are generated, never hand-edited: a drift fails here."""
    course = find_course()
    ex = course.exercise(ex_id)
    expected = make_notebook(ex, (course.exercises_dir / ex_id / "README.md").read_text(encoding="utf-8"),
                             (TEMPLATE / ex.file).read_text(encoding="utf-8"))
    assert notebook_path(ex_id).read_text(encoding="utf-8") == expected, \
        f"exercises/{ex_id}/{ex_id}.ipynb differs from what `grade build` writes: run `grade build`"


def test_does_build_check_cover_the_notebooks():
    result = api.build(check=True)
    assert not [p for p in result.changed if p.endswith(".ipynb")]
    assert len([p for p in result.unchanged if p.endswith(".ipynb")]) == len(IDS)


@pytest.mark.parametrize("ex_id", IDS)
def test_does_the_notebook_hold_statement_stubs_try_it_and_check_cells(ex_id):
    nb = nbformat.read(str(notebook_path(ex_id)), as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    statement = (COURSE.exercises_dir / ex_id / "README.md").read_text(encoding="utf-8")
    first_heading = next(line for line in statement.splitlines() if line.startswith("#"))
    assert first_heading in markdown and "$" in markdown          # the statement, with its LaTeX math
    code = [c for c in nb.cells if c.cell_type == "code"]
    graded = [c for c in code if SKIP_TAG not in c.metadata.get("tags", [])]
    skipped = [c for c in code if SKIP_TAG in c.metadata.get("tags", [])]
    assert [c.source for c in skipped][-1] == f'from grader.submissions.notebook import check\n\ncheck("{ex_id}")'
    if COURSE.exercise(ex_id).try_it:                                             # try-it, then check
        assert len(skipped) == 2 and "NotImplementedError" in skipped[0].source
        # Any error in the try-it cell prints one line and lets "Run All" reach the check cell.
        assert "except Exception as exc:" in skipped[0].source
        assert "(the check cell below will show details)" in skipped[0].source
    else:                                                                         # an exercise with no try_it
        assert len(skipped) == 1
    template_tree = ast.parse((TEMPLATE / EXERCISE_FILES[ex_id]).read_text(encoding="utf-8"))
    template_defs = {n.name: ast.dump(n) for n in template_tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    notebook_defs = {}
    for cell in graded:
        for n in ast.parse(cell.source).body:
            if isinstance(n, (ast.ClassDef, ast.FunctionDef)):
                notebook_defs[n.name] = ast.dump(n)
    assert notebook_defs == template_defs


@pytest.mark.parametrize("ex_id", IDS)
def test_does_grading_the_untouched_notebook_keep_exactly_the_stub_definitions(ex_id):
    conv = definitions(read_notebook(notebook_path(ex_id)))
    tagged = 2 if COURSE.exercise(ex_id).try_it else 1                  # the try-it cell (if any) and the check cell
    assert len(conv.dropped) == tagged and all(d.endswith("tagged grade-skip") for d in conv.dropped)
    assert {k.split(" ")[0] for k in conv.kept} >= find_course().exercise(ex_id).entry_names
