"""Grading one submission: plan trials, run them in workers, judge in the parent.

For each exercise file:
  1. plan the trials: public ones (inputs from the fixture, or regenerated
     from their seed when not stored), hidden ones when the reference is
     present (instructor mode), and the probes some checks add;
  2. start a worker on the student's file (all exercises start together, so
     their start-up overlaps) and, meanwhile, compute the expected values in
     this process (live reference, or stored public values);
  3. run every trial in the worker, streaming results;
  4. without the reference, once the student's forward matches the stored
     values, run finite-difference checks of their backward (`grader.oracle`);
  5. evaluate each check on the outcomes and the expectations.

The grading process never imports the student's code.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from grader import diagnosis as dx
from grader import fixtures, oracle
from grader.numgrad import to_convention
from grader.checks import CheckContext, ValueCheck
from grader.course import Course
from grader.errors import CourseError, WorkerStartError
from grader.results import CaseCount, CheckResult, ExerciseResult, Report
from grader.session import Limits, LoadReport, WorkerSession
from grader.spec import Exercise
from grader.trial import Expectation, Projected, Trial
from grader.values import Outcome, StepError


@dataclass(frozen=True)
class Options:
    """How to grade.

    mode: "auto" (instructor mode when the reference is present), "student"
    (public cases only, as students see it) or "instructor" (reference required).
    salt: mixed into the seeds of hidden trials, so a course can keep them private.
    """

    limits: Limits = field(default_factory=Limits)
    mode: str = "auto"
    salt: str = ""


@dataclass
class _Plan:
    exercise: Exercise
    trials: list[Trial]
    expectations: dict[str, dict[str, Expectation]]
    stored: list[fixtures.StoredTrial]


def _oracle_recipes(exercise: Exercise) -> set[str]:
    return {c.recipe for c in exercise.checks if isinstance(c, ValueCheck)}


def plan_exercise(course: Course, exercise: Exercise, *, instructor: bool, salt: str = "") -> _Plan:
    """Trials and expectations for one exercise (no student code involved)."""
    path = course.fixture_path(exercise.id)
    stored = fixtures.load(path, exercise.id) if (path.is_file() or not instructor) else []
    by_name = {s.name: s for s in stored}
    trials: list[Trial] = []
    for plan in exercise.public:
        s = by_name.get(plan.name)
        if plan.store and s is not None:
            if s.recipe != plan.recipe:
                raise CourseError(f"public case {plan.name} of {exercise.id!r} is stale; rebuild with `grade build`")
            trials.append(Trial(plan.name, plan.recipe, exercise.recipes[plan.recipe], s.inputs, "public",
                                kink=plan.kink))
        elif plan.store and not instructor:
            raise CourseError(f"public case {plan.name} of {exercise.id!r} is missing from {path}; "
                              f"rebuild with `grade build`")
        else:
            trials.append(exercise.make_trial(plan, "public"))
    if instructor:
        trials += [exercise.make_trial(plan, "hidden", salt) for plan in exercise.hidden]
    recipes = _oracle_recipes(exercise)
    judged = [t for t in trials if t.recipe in recipes]
    if instructor:
        module = course.reference_module(exercise)
        expectations = oracle.from_reference(exercise, module, judged)
    else:
        expectations = oracle.from_fixture(exercise, stored, judged)
    for check in exercise.checks:
        trials += check.extra_trials(list(trials))
    return _Plan(exercise, trials, expectations, stored)


def _all_failed(exercise: Exercise, codes: tuple[str, ...], message: str, hint: str = "",
                frames=()) -> tuple[CheckResult, ...]:
    return tuple(CheckResult(c.id, c.title, False, 0.0, float(c.points), codes, message, hint, frames=frames)
                 for c in exercise.checks)


def _load_failure(exercise: Exercise, load: LoadReport) -> tuple[str, str, tuple[CheckResult, ...]]:
    if load.termination is not None:
        kind = load.termination.kind
        status = "timeout" if kind == "timeout" else "crashed"
        code = dx.TIMEOUT if kind == "timeout" else dx.CRASHED
        msg = f"{exercise.file} could not be loaded: {load.termination.detail}"
        return status, msg, _all_failed(exercise, (code,), msg, dx.HINTS[code])
    err = load.error or StepError("crashed", "", "unknown error")
    where = f" (line {err.frames[-1].line})" if err.frames else ""
    if err.kind == "exit":
        msg = f"{exercise.file} called sys.exit() while being imported{where}"
    elif err.kind == "not_implemented":
        msg = f"{exercise.file} raised NotImplementedError while being imported{where}"
    else:
        msg = f"{exercise.file} could not be imported: {err.headline()}{where}"
    code = {"not_implemented": dx.NOT_IMPLEMENTED, "memory": dx.MEMORY}.get(err.kind, dx.CRASHED)
    return "error", msg, _all_failed(exercise, (code,), msg, dx.HINTS[code], err.frames)


def _run(session: WorkerSession, trials: list[Trial], outcomes: dict[str, dict[str, Outcome]]) -> None:
    for trial in trials:
        run = session.run(trial.steps, trial.sent_inputs)
        outcomes[trial.name] = {s.out: o for s, o in zip(trial.steps, run.outcomes)}


def _numeric_phase(plan: _Plan, session: WorkerSession, outcomes: dict[str, dict[str, Outcome]]) -> list[str]:
    """Student mode: finite-difference checks of the backward against the student's forward."""
    notes: list[str] = []
    ex = plan.exercise
    stored = {s.name: s for s in plan.stored}
    for spec in ex.numeric:
        verify_recipe, verify_out = spec.verify if spec.verify else (spec.recipe, spec.output)
        checks = []
        for t in plan.trials:
            if t.recipe == verify_recipe and t.name in stored and verify_out in stored[t.name].expected:
                got = outcomes.get(t.name, {}).get(verify_out)
                checks.append(oracle.forward_matches(got, stored[t.name].expected[verify_out])
                              if got is not None else (False, "f64"))
        verified = bool(checks) and all(ok for ok, _ in checks)
        precision = "f32" if any(p == "f32" for _, p in checks) else "f64"
        bases = [t for t in plan.trials if t.recipe == spec.recipe and t.visibility == "public"
                 and not t.kink and (t.name not in stored) == spec.directional]
        if not verified:
            notes.append(f"numerical gradient checks of {spec.recipe!r} skipped: the forward does not match "
                         f"the public cases yet")
            if spec.directional:
                for base in bases:
                    for name, grad_out in spec.wrt:
                        shape = to_convention(np.zeros(np.shape(base.inputs[name])),
                                              np.shape(base.inputs[name])).shape
                        plan.expectations.setdefault(base.name, {})[grad_out] = Expectation(
                            Projected(shape, (), ()), "numeric",
                            note="values not compared: the forward does not match the public cases yet")
            continue
        numeric = [oracle.NumericPlan(ex, spec, base, precision, i + 1) for i, base in enumerate(bases)]
        for n in numeric:
            new_trials = n.trials()
            _run(session, new_trials, outcomes)
            for t in new_trials:
                if t is not n.probe and t not in plan.trials:
                    plan.trials.append(t)
            exp = n.expectations(outcomes.get(n.probe.name, {}))
            plan.expectations.setdefault(n.target.name, {}).update(exp)
    return notes


_STATUS_RANK = {s: i for i, s in enumerate(("graded", "missing", "error", "crashed", "memory", "timeout"))}


def _status(session: WorkerSession, outcomes: Mapping[str, Mapping[str, Outcome]]) -> tuple[str, str]:
    term = session.termination
    if term is not None:
        if term.kind == "timeout":
            return "timeout", f"stopped: {term.detail}"
        if term.kind == "output":
            return "crashed", f"stopped: {term.detail}"
        return "crashed", f"stopped: {term.detail}"
    kinds = {o.error.kind for per in outcomes.values() for o in per.values() if o.error is not None}
    if "memory" in kinds:
        return "memory", "part of the code ran out of memory"
    if kinds & {"exit", "interrupt"}:
        return "crashed", "part of the code called sys.exit() or raised KeyboardInterrupt"
    return "graded", ""


def grade_exercise(course: Course, plan: _Plan, path: Path | None, session: WorkerSession | None
                   ) -> tuple[ExerciseResult, tuple[str, ...]]:
    """Grade one exercise file (its worker already started); returns the result and isolation layers."""
    ex = plan.exercise
    started = time.monotonic()
    if path is None or session is None:
        msg = f"{ex.file} was not found in the submission"
        return ExerciseResult(ex.id, ex.title, "missing", 0.0, ex.max_score,
                              _all_failed(ex, (dx.MISSING,), msg, dx.HINTS[dx.MISSING]), "", msg), ()
    try:
        load = session.handshake()
        if not load.started:
            captured = session.close()
            last = (captured.stderr.strip().splitlines() or ["no output"])[-1]
            detail = load.termination.detail if load.termination else "no answer"
            raise WorkerStartError(f"the grading worker could not start ({detail}; it said: {last[:300]}). "
                                   f"Is the project installed (`pip install -e .`) in this Python?")
        if not load.loaded:
            status, msg, checks = _load_failure(ex, load)
            captured = session.close()
            return ExerciseResult(ex.id, ex.title, status, 0.0, ex.max_score, checks, path.name, msg,
                                  captured.stdout[-2000:], seconds=time.monotonic() - started), load.layers
        outcomes: dict[str, dict[str, Outcome]] = {}
        _run(session, plan.trials, outcomes)
        notes: list[str] = []
        if not any(t.visibility == "hidden" for t in plan.trials) and ex.numeric and session.termination is None:
            notes = _numeric_phase(plan, session, outcomes)
        status, status_msg = _status(session, outcomes)
    finally:
        captured = session.close()
    ctx = CheckContext(ex.id, ex.file, tuple(plan.trials), outcomes, plan.expectations)
    results = tuple(c.evaluate(ctx) for c in ex.checks)
    counts = {}
    for t in plan.trials:
        if t.visibility in ("public", "hidden", "numeric") and t.recipe in _oracle_recipes(ex):
            counts[t.visibility] = counts.get(t.visibility, 0) + 1
    case_counts = tuple(CaseCount(v, 0, counts[v]) for v in ("public", "hidden", "numeric") if v in counts)
    message = "; ".join([m for m in [status_msg] + notes if m])
    return ExerciseResult(ex.id, ex.title, status, float(sum(r.score for r in results)), ex.max_score, results,
                          path.name, message, captured.stdout[-2000:], case_counts,
                          time.monotonic() - started), load.layers


def grade_files(course: Course, files: Mapping[str, Path | None], *, label: str,
                options: Options = Options()) -> Report:
    """Grade the given exercise files ({exercise id: path or None}) as one submission."""
    started = time.monotonic()
    exercises = [course.exercise(i) for i in files]
    have_ref = all(course.has_reference(e) for e in exercises)
    if options.mode == "instructor" and not have_ref:
        missing = [e.file for e in exercises if not course.has_reference(e)]
        raise CourseError(f"instructor mode needs the reference solutions; missing: {', '.join(missing)}")
    instructor = options.mode == "instructor" or (options.mode == "auto" and have_ref)
    sessions: dict[str, WorkerSession | None] = {}
    try:
        for e in exercises:
            path = files[e.id]
            sessions[e.id] = None if path is None else WorkerSession(
                str(path), e.module_name, limits=options.limits,
                student_roots=(os.path.dirname(os.path.abspath(path)),))
        plans = {e.id: plan_exercise(course, e, instructor=instructor, salt=options.salt) for e in exercises}
        with ThreadPoolExecutor(max_workers=max(1, len(exercises))) as pool:
            futures = [pool.submit(grade_exercise, course, plans[e.id], files[e.id], sessions[e.id])
                       for e in exercises]
            outputs = [f.result() for f in futures]
    finally:
        for s in sessions.values():
            if s is not None:
                s.close()
    layers: tuple[str, ...] = next((layers for _, layers in outputs if layers), ())
    return Report(label, "instructor" if instructor else "student", tuple(r for r, _ in outputs), layers,
                  time.monotonic() - started)

