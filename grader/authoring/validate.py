"""Validate an exercise declaration before anything reaches a student: every name must resolve.

`grade build` (and `grade build --check`) calls `validate_course` first. Each
problem is one `Problem`: the file, the line and a sentence naming the wrong
name and, when one is close, the name that was probably meant. The build
then stops with exit code 2 instead of writing stubs and cases that would
score the reference 0 or crash every student-mode run.

What is checked, per exercise (exercises/<id>/checks.py):
- every trial plan names a recipe that exists, and `make_inputs` runs for it;
- in every recipe, each `In(name)` is an input `make_inputs` gives that
  recipe, and each method call is made on an object an earlier step built;
- every check's recipe exists; a ValueCheck's targets, an AccuracyCheck's
  output, a SequenceCheck's names (as `<name>_2` and `<name>_3`) are outputs
  of that recipe;
- every numeric spec: its recipe, its forward steps' inputs, its output,
  upstream and `wrt` inputs, and the gradients named in `wrt`;
- every mutant's outputs and recipe, and its maker `make_<id>` in
  reference/mutants/<id>.py (staff code, loaded as the build loads it: its
  makers may be made in a loop); every decomposition's recipe, upstream and
  outputs;
- the classes and functions the recipes use are defined at the top of the
  reference file, and the methods called are defined in those classes;
- fields that must be tuples are not lists (a list there fails later, far
  from the mistake);
- the statement's table of checks (exercises/<id>/README.md) lists every
  check id with the points checks.py gives it.

`verify_grading` runs after a build has written the stubs and public cases:
the reference must get full marks and every check of a stub must fail as
`not_implemented`, in instructor and in student mode.
The reference itself is read with `ast`, not run.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from grader.isolation.script import In


@dataclass(frozen=True)
class Problem:
    """One mistake in a declaration: where it is and what is wrong, in one line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def _closest(name: str, options) -> str:
    close = difflib.get_close_matches(str(name), sorted(str(o) for o in options), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Source:
    """A declaration file's text, to find the line where a name is written."""

    def __init__(self, path: Path, root: Path):
        self.rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        try:
            self.lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            self.lines = []

    def line_of(self, *names: str) -> int:
        for name in names:
            for quote in ('"', "'"):
                needle = f"{quote}{name}{quote}"
                for k, text in enumerate(self.lines, 1):
                    if needle in text:
                        return k
        return 1


def _step_args(step):
    yield from step.args
    yield from (v for _, v in step.kwargs)


def _reference_names(path: Path) -> tuple[set[str], dict[str, set[str] | None]]:
    """(top-level functions and classes, {class: its methods, or None when it has base classes})."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set(), {}
    names, methods = set(), {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
            plain = all(isinstance(b, ast.Name) and b.id == "object" for b in node.bases)
            methods[node.name] = ({n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
                                  if plain else None)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                if isinstance(t, ast.Name):
                    names.add(t.id)
    return names, methods


def validate_exercise(course, ex) -> list[Problem]:
    """The problems of one exercise's declaration (empty when every name resolves)."""
    src = _Source(course.exercises_dir / ex.id / "checks.py", course.root)
    problems: list[Problem] = []

    def bad(message: str, *names: str) -> None:
        problems.append(Problem(src.rel, src.line_of(*names) if names else 1, message))

    recipes = dict(ex.recipes)
    outputs = {r: {s.out for s in steps} for r, steps in recipes.items()}
    inputs: dict[str, set[str]] = {}
    for plan in (*ex.public, *ex.hidden):
        if plan.recipe not in recipes:
            bad(f"trial {plan.name!r} uses recipe {plan.recipe!r}, which is not declared"
                f"{_closest(plan.recipe, recipes)}", plan.recipe)
            continue
        try:
            made = ex.make_inputs(plan.recipe, plan.variant, np.random.default_rng(0))
        except Exception as exc:  # noqa: BLE001 - an author's generator may raise anything; report it in one line
            bad(f"make_inputs({plan.recipe!r}, {plan.variant!r}, rng) raised {type(exc).__name__}: {exc}")
            continue
        if not isinstance(made, dict):
            bad(f"make_inputs({plan.recipe!r}, {plan.variant!r}, rng) returned {type(made).__name__}, not a dict")
            continue
        inputs.setdefault(plan.recipe, set()).update(made)

    for recipe, steps in recipes.items():
        known = inputs.get(recipe)
        built: set[str] = set()
        for step in steps:
            for arg in _step_args(step):
                if isinstance(arg, In) and known is not None and arg.name not in known:
                    bad(f"recipe {recipe!r}: {step.describe()} uses input {arg.name!r}, which make_inputs does "
                        f"not give this recipe{_closest(arg.name, known)}", arg.name)
            if step.op in ("call", "attr") and step.target not in built:
                bad(f"recipe {recipe!r}: {step.describe()} is called on {step.target!r}, which no earlier step "
                    f"builds{_closest(step.target, built)}", step.target)
            if step.op == "new":
                built.add(step.out)

    for check in ex.checks:
        for f in dataclasses.fields(check):
            if isinstance(getattr(check, f.name), list):
                bad(f"check {check.id}: {f.name} is a list; write a tuple (…, …)", check.id)
        recipe = getattr(check, "recipe", None)
        if isinstance(recipe, str) and recipe not in recipes:
            bad(f"check {check.id}: recipe {recipe!r} is not declared{_closest(recipe, recipes)}", recipe)
            continue
        outs = outputs.get(recipe, set())
        for target in getattr(check, "targets", ()) or ():
            if target.output not in outs:
                bad(f"check {check.id}: target output {target.output!r} is not an output of recipe {recipe!r}"
                    f"{_closest(target.output, outs)}", target.output)
        moderate = getattr(check, "moderate", "")
        if moderate and moderate not in recipes:
            bad(f"check {check.id}: moderate recipe {moderate!r} is not declared{_closest(moderate, recipes)}",
                moderate)
        if type(check).__name__ == "AccuracyCheck" and check.output not in outs:
            bad(f"check {check.id}: output {check.output!r} is not an output of recipe {recipe!r}"
                f"{_closest(check.output, outs)}", check.output)
        for name in getattr(check, "names", ()) or ():
            for suffix in ("_2", "_3"):
                if f"{name}{suffix}" not in outs:
                    bad(f"check {check.id}: recipe {recipe!r} has no output {name + suffix!r} for the sequence "
                        f"name {name!r}{_closest(name + suffix, outs)}", name)

    for spec in ex.numeric:
        if spec.recipe not in recipes:
            bad(f"numeric spec: recipe {spec.recipe!r} is not declared{_closest(spec.recipe, recipes)}", spec.recipe)
            continue
        known = inputs.get(spec.recipe, set())
        forward_outs = {s.out for s in spec.forward}
        if spec.output not in forward_outs:
            bad(f"numeric spec for {spec.recipe!r}: output {spec.output!r} is not made by its forward steps"
                f"{_closest(spec.output, forward_outs)}", spec.output)
        for step in spec.forward:
            for arg in _step_args(step):
                if isinstance(arg, In) and known and arg.name not in known:
                    bad(f"numeric spec for {spec.recipe!r}: {step.describe()} uses input {arg.name!r}, which "
                        f"make_inputs does not give{_closest(arg.name, known)}", arg.name)
        if spec.upstream is not None and known and spec.upstream not in known:
            bad(f"numeric spec for {spec.recipe!r}: upstream {spec.upstream!r} is not an input"
                f"{_closest(spec.upstream, known)}", spec.upstream)
        for wrt_in, wrt_out in spec.wrt:
            if known and wrt_in not in known:
                bad(f"numeric spec for {spec.recipe!r}: wrt input {wrt_in!r} is not an input"
                    f"{_closest(wrt_in, known)}", wrt_in)
            if wrt_out not in outputs[spec.recipe]:
                bad(f"numeric spec for {spec.recipe!r}: gradient {wrt_out!r} is not an output of the recipe"
                    f"{_closest(wrt_out, outputs[spec.recipe])}", wrt_out)

    mutant_file = course.reference_dir / "mutants" / f"{ex.id}.py"
    makers: set[str] | None = None                # None: no makers file to check against
    if ex.mutants and mutant_file.is_file():
        try:                                        # staff code, loaded the way the build loads it
            module = course.mutant_makers(ex)
            makers = {n for n in dir(module) if n.startswith("make_")} if module is not None else None
        except Exception as exc:  # noqa: BLE001 - a broken makers file is one line, not a traceback
            bad(f"reference/mutants/{ex.id}.py could not be loaded: {type(exc).__name__}: {exc}")
    for m in ex.mutants:
        if m.recipe not in recipes:
            bad(f"mutant {m.id!r}: recipe {m.recipe!r} is not declared{_closest(m.recipe, recipes)}", m.recipe)
            continue
        for out in m.outputs:
            if out not in outputs[m.recipe]:
                bad(f"mutant {m.id!r}: output {out!r} is not an output of recipe {m.recipe!r}"
                    f"{_closest(out, outputs[m.recipe])}", out)
        if makers is not None and f"make_{m.id}" not in makers:
            bad(f"mutant {m.id!r}: reference/mutants/{ex.id}.py defines no make_{m.id}"
                f"{_closest('make_' + m.id, makers)}", m.id)
    for d in ex.decompositions:
        if d.recipe not in recipes:
            bad(f"decomposition: recipe {d.recipe!r} is not declared{_closest(d.recipe, recipes)}", d.recipe)
            continue
        if inputs.get(d.recipe) and d.upstream not in inputs[d.recipe]:
            bad(f"decomposition for {d.recipe!r}: upstream {d.upstream!r} is not an input"
                f"{_closest(d.upstream, inputs[d.recipe])}", d.upstream)
        for out in d.outputs:
            if out not in outputs[d.recipe]:
                bad(f"decomposition for {d.recipe!r}: output {out!r} is not an output of the recipe"
                    f"{_closest(out, outputs[d.recipe])}", out)

    reference = course.reference_dir / ex.file
    if reference.is_file():
        defined, methods = _reference_names(reference)
        for recipe, steps in recipes.items():
            classes: dict[str, str] = {}
            for step in steps:
                if step.op in ("new", "func") and step.target not in defined:
                    bad(f"recipe {recipe!r}: {step.target!r} is not defined at the top of reference/{ex.file}"
                        f"{_closest(step.target, defined)}", step.target)
                if step.op == "new":
                    classes[step.out] = step.target
                if step.op == "call" and step.target in classes:
                    have = methods.get(classes[step.target])
                    if have is not None and step.name not in have:
                        bad(f"recipe {recipe!r}: {classes[step.target]} in reference/{ex.file} has no method "
                            f"{step.name!r}{_closest(step.name, have)}", step.name)
    return problems


def _statement_problems(course, ex) -> list[Problem]:
    """The statement's table of checks must list every check id with its points."""
    path = course.exercises_dir / ex.id / "README.md"
    src = _Source(path, course.root)
    if not src.lines:
        return [Problem(src.rel, 1, f"the statement of {ex.id} is missing")]
    problems = []
    for check in ex.checks:
        rows = [(k, line) for k, line in enumerate(src.lines, 1) if f"`{check.id}`" in line and "|" in line]
        if not rows:
            problems.append(Problem(src.rel, 1, f"the table of checks does not list {check.id} "
                                                f"({check.points:g} points)"))
            continue
        k, line = rows[0]
        cells = [c.strip() for c in line.split("|")]
        if f"{check.points:g}" not in cells:
            problems.append(Problem(src.rel, k, f"{check.id} is worth {check.points:g} points in checks.py but the "
                                                f"statement's table says otherwise"))
    return problems


def verify_grading(course, exercise_ids) -> list[Problem]:
    """Grade the reference and the stubs in both modes: the reference must get full marks, and every check
    of a stub must fail as not implemented. Run after the public cases and stubs are written."""
    from grader import api

    problems = []
    wanted = set(exercise_ids)
    # One run per assignment holding a wanted exercise: each grades that assignment's exercises at once.
    assignments = [a.id for a in course.assignments() if wanted & set(a.exercises)]
    for mode in ("instructor", "student"):
        for folder, want_full in ((course.reference_dir, True), (course.root / "student_template", False)):
            what = "reference" if want_full else "student_template"
            expect = "full marks" if want_full else "not_implemented"
            results = [r for a in assignments
                       for r in api.grade(folder, mode=mode, course=course.root, assignment=a).exercises]
            for result in results:
                if result.id not in wanted or result.status == "missing":
                    continue
                for c in result.checks:
                    ok = c.passed if want_full else (not c.passed and "not_implemented" in c.diagnosis)
                    if not ok:
                        problems.append(Problem(f"{what}/{course.exercise(result.id).file}", 1,
                                                f"{c.id} in {mode} mode: expected {expect}, got "
                                                f"{c.score:g}/{c.max_score:g} ({c.message[:160]})"))
    return problems


def validate_course(course, exercise_ids=None) -> list[Problem]:
    """The problems of every (or the given) exercise's declaration, in course order."""
    ids = exercise_ids or course.exercise_ids()
    return [p for i in ids for p in (*validate_exercise(course, course.exercise(i)),
                                     *_statement_problems(course, course.exercise(i)))]
