"""Questions about student stubs made from the reference (grader.authoring.templates, grader.authoring.build)."""

from __future__ import annotations

import ast
from textwrap import dedent

import pytest

from grader import api
from grader.errors import BuildError
from grader.authoring.templates import count_blocks, make_stub

from conftest import REFERENCE, ROOT, TEMPLATE


def test_does_a_solution_block_become_a_named_not_implemented_error():
    src = dedent('''
        class Layer:
            def forward(self, x):
                """x: (n, 1); returns (n, 1)."""
                ### BEGIN SOLUTION
                return 2 * x
                ### END SOLUTION
    ''')
    stub = make_stub(src, "ref.py")
    assert 'raise NotImplementedError("Layer.forward")' in stub
    assert "return 2 * x" not in stub and '"""x: (n, 1); returns (n, 1)."""' in stub
    ast.parse(stub)


@pytest.mark.parametrize("src, fragment", [
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION\n", "inside another"),
    ("def f():\n    ### BEGIN SOLUTION\n    pass\n", "never closed"),
    ("def f():\n    pass\n    ### END SOLUTION\n", "without a matching"),
    ("### BEGIN SOLUTION\nX = 1\n### END SOLUTION\n", "inside a function"),
    ("def f(:\n", "not valid Python"),
])
def test_is_a_malformed_reference_refused_with_its_line(src, fragment):
    with pytest.raises(BuildError, match=fragment):
        make_stub(src, "ref.py")


@pytest.mark.course
def test_does_every_reference_file_have_solution_blocks_and_a_committed_template():
    for ref in sorted(REFERENCE.glob("*.py")):
        assert count_blocks(ref.read_text()) >= 2, ref.name
        assert (TEMPLATE / ref.name).is_file(), f"student_template/{ref.name} is missing: run `grade build`"


@pytest.mark.course
def test_do_the_committed_templates_match_what_grade_build_writes():
    """Templates are generated, never hand-edited: a drift fails here."""
    for ref in sorted(REFERENCE.glob("*.py")):
        expected = make_stub(ref.read_text(encoding="utf-8"), f"reference/{ref.name}")
        assert (TEMPLATE / ref.name).read_text(encoding="utf-8") == expected, \
            f"student_template/{ref.name} differs from reference/{ref.name}: run `grade build`"


@pytest.mark.course
def test_does_build_check_report_no_drift_for_templates():
    result = api.build(check=True)
    assert not [p for p in result.changed if p.startswith("student_template/")]


@pytest.mark.course
def test_do_templates_keep_signatures_and_docstrings_of_the_reference():
    for ref in sorted(REFERENCE.glob("*.py")):
        ref_tree = ast.parse(ref.read_text())
        stub_tree = ast.parse((TEMPLATE / ref.name).read_text())

        def sigs(tree):
            out = {}
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef):
                    out[node.name + str(node.lineno > 0)] = (ast.dump(node.args), ast.get_docstring(node))
            return out
        assert sigs(ref_tree) == sigs(stub_tree), ref.name
    assert ROOT.is_dir()
