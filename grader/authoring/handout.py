"""The exercise notebooks students receive: exercises/<id>/<id>.ipynb, made by `grade build`.

Each notebook holds, in order:
- the statement (exercises/<id>/README.md), one markdown cell per section,
  math in LaTeX as written;
- the stub code from student_template/<id>.py, imports in one cell and each
  class or function in its own cell;
- a "try it" cell calling the student's code on small inputs. Any
  Exception raised there prints one line (a stub's NotImplementedError as
  "not implemented yet", anything else as its type and message, pointing
  to the check cell for details) and never stops "Run All", so the check
  cell always runs;
- the check cell, `from grader.submissions.notebook import check; check("<id>")`, which
  grades the code defined in the kernel through the same pipeline as `grade`.
The try-it and check cells are tagged `grade-skip`, so a submitted notebook
never runs them at grading. Cell ids are fixed, so the file is
deterministic, and it is validated with nbformat before it is written.
"""

from __future__ import annotations

import ast

from grader.submissions.conversion import SKIP_TAG

#: How the try-it cell ends: every Exception becomes one printed line, so "Run All" reaches the check cell.
_TRY_IT_EXCEPT = """\
except NotImplementedError as exc:
    print("not implemented yet:", exc)
except Exception as exc:  # any error: print one line and let "Run All" go on to the check cell
    print(f"{type(exc).__name__}: {exc}".splitlines()[0], "(the check cell below will show details)")"""


def _statement_sections(text: str) -> list[str]:
    sections, current = [], []
    for line in text.splitlines():
        if line.startswith("## ") and current:
            sections.append("\n".join(current).strip())
            current = []
        current.append(line)
    if current:
        sections.append("\n".join(current).strip())
    return [s for s in sections if s]


def _code_cells(template: str) -> list[str]:
    """Imports in one cell, then each top-level class or function in its own cell."""
    tree = ast.parse(template)
    lines = template.splitlines()
    imports, blocks = [], []
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        text = "\n".join(lines[first - 1:node.end_lineno])
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(text)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue                           # the module docstring: the statement already says it
        else:
            blocks.append(text)
    return (["\n".join(imports)] if imports else []) + blocks


def make_notebook(exercise, statement: str, template: str) -> str:
    """The notebook's text (nbformat 4, validated)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = []

    def md(text):
        cells.append(new_markdown_cell(text, id=f"{exercise.id}-{len(cells):02d}"))

    def code(text, tags=()):
        cell = new_code_cell(text, id=f"{exercise.id}-{len(cells):02d}")
        if tags:
            cell.metadata["tags"] = list(tags)
        cells.append(cell)

    for section in _statement_sections(statement):
        md(section)
    md("## Your code\n\nReplace every `raise NotImplementedError(...)` with your implementation, then run the "
       "cells. Only definitions (imports, `def`, `class`, constants) are graded; the last definition of a name "
       "counts.")
    for block in _code_cells(template):
        code(block)
    if exercise.try_it:
        md("## Try it\n\nCall your code on small inputs and look at the shapes. This cell is not graded.")
        body = "\n".join("    " + line if line else "" for line in exercise.try_it.strip().splitlines())
        code(f"try:\n{body}\n{_TRY_IT_EXCEPT}", tags=(SKIP_TAG,))
    md("## Check your work\n\nThis runs the same checks as `grade` on the public cases, with your code in a "
       "separate process. Hidden cases with new inputs and shapes run at official grading.")
    code(f'from grader.submissions.notebook import check\n\ncheck("{exercise.id}")', tags=(SKIP_TAG,))
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"
