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
     values, run finite-difference checks of their backward (`grader.judging.oracle`);
  5. evaluate each check on the outcomes and the expectations.

The grading process never imports the student's code.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

import numpy as np

from grader.judging import diagnosis as dx
from grader.authoring import fixtures
from grader.judging import oracle
from grader.judging.numgrad import to_convention
from grader.judging.checks import CheckContext, ValueCheck, gate_hygiene
from grader.authoring.course import Course
from grader.errors import CourseError, PrivilegeError, WorkerStartError
from grader.outputs.results import CaseCount, CheckResult, ExerciseResult, Report
from grader.isolation.session import Isolation, Limits, LoadReport, WorkerSession
from grader.authoring.spec import Exercise
from grader.judging.trial import Expectation, Projected, Trial
from grader.judging.values import Outcome, StepError, Value


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
    isolation: Isolation = field(default_factory=Isolation)
    #: Fork workers from a pre-imported server (`grader.isolation.zygote`) instead of starting interpreters.
    use_zygote: bool = True
    #: Grade even when, running as root, a worker could not drop root's privileges (see `check_privileges`).
    allow_root: bool = False


@dataclass
class _Plan:
    exercise: Exercise
    trials: list[Trial]
    expectations: dict[str, dict[str, Expectation]]
    stored: list[fixtures.StoredTrial]

    def copy(self) -> "_Plan":
        """A copy that grading may extend (numeric trials, consistency) without touching this one."""
        return _Plan(self.exercise, list(self.trials), {k: dict(v) for k, v in self.expectations.items()},
                     self.stored)


def plan_all(course: Course, exercise_ids, *, instructor: bool, salt: str = "") -> dict[str, _Plan]:
    """Plans for several exercises, to compute once and reuse for many submissions."""
    return {i: plan_exercise(course, course.exercise(i), instructor=instructor, salt=salt) for i in exercise_ids}


def is_instructor(course: Course, exercise_ids, mode: str) -> bool:
    """Does this mode, with this course, grade against the reference?"""
    exercises = [course.exercise(i) for i in exercise_ids]
    have_ref = all(course.has_reference(e) for e in exercises)
    if mode == "instructor" and not have_ref:
        missing = [e.file for e in exercises if not course.has_reference(e)]
        raise CourseError(f"instructor mode needs the reference solutions; missing: {', '.join(missing)}")
    return mode == "instructor" or (mode == "auto" and have_ref)


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
        expectations = oracle.from_reference(exercise, module, judged, course.mutant_makers(exercise))
    else:
        expectations = oracle.from_fixture(exercise, stored, judged)
    for check in exercise.checks:
        trials = check.prepare(list(trials))
    return _Plan(exercise, trials, expectations, stored)


def _all_failed(exercise: Exercise, codes: tuple[str, ...], message: str, hint: str = "",
                frames=()) -> tuple[CheckResult, ...]:
    return tuple(CheckResult(c.id, c.title, False, 0.0, float(c.points), codes, message, hint, frames=frames,
                             cause=message) for c in exercise.checks)


def _load_failure(exercise: Exercise, load: LoadReport, file: str = "") -> tuple[str, str, tuple[CheckResult, ...]]:
    """Status, message and check results of a file that did not load; file: its name as submitted."""
    file = file or exercise.file
    if load.termination is not None:
        kind = load.termination.kind
        status = "timeout" if kind == "timeout" else "crashed"
        code = dx.TIMEOUT if kind == "timeout" else dx.CRASHED
        msg = f"{file} could not be loaded: {load.termination.detail}"
        return status, msg, _all_failed(exercise, (code,), msg, dx.hint_for(code, exercise))
    err = load.error or StepError("crashed", "", "unknown error")
    last = err.frames[-1] if err.frames else None
    where = "" if last is None else f" (line {last.line})" if last.file == file else \
        f" ({last.file}, line {last.line})"
    if err.kind == "exit":
        msg = f"{file} called sys.exit() while being imported{where}"
    elif err.kind == "not_implemented":
        msg = f"{file} raised NotImplementedError while being imported{where}"
    else:
        msg = f"{file} could not be imported: {err.headline()}{where}"
    code = {"not_implemented": dx.NOT_IMPLEMENTED, "memory": dx.MEMORY}.get(err.kind, dx.CRASHED)
    return "error", msg, _all_failed(exercise, (code,), msg, dx.hint_for(code, exercise), err.frames)


def _call_words(trial: Trial, step) -> str:
    """A step in the student's terms, e.g. `ReLU.forward(x)` (the class, not the handle)."""
    if step.op in ("call", "attr"):
        return f"{trial.class_of(step.target)}.{step.describe().split('.', 1)[1]}"
    return step.describe()


class _Timeouts:
    """Names the call that did not finish, on the step that ran it, and says so on every step it cost.

    In the trial the time limit stopped, the step the worker was running
    (`TrialRun.running`) keeps the `timeout` error; constructors before it
    finished (their result is only a handle); other steps before it
    finished but their results were lost with the worker (`lost`); steps
    after it, and every step of the trials after it, never ran (`not_run`,
    naming the call that hung). Without a valid index every step keeps the
    `timeout` error, as before.
    """

    def __init__(self) -> None:
        self.hung = ""

    def outcomes(self, trial: Trial, run) -> dict[str, Outcome]:
        per = {s.out: o for s, o in zip(trial.steps, run.outcomes)}
        term = run.termination
        if term is None or term.kind != "timeout":
            return per
        if self.hung:
            error = StepError("not_run", "", self.hung)
            return {s.out: Outcome(error=error) for s in trial.steps}
        if run.running is None:
            return per
        call = f"{_call_words(trial, trial.steps[run.running])} did not finish"
        self.hung = f"{call} in case {trial.name}"
        lost = StepError("lost", "", call)
        not_run = StepError("not_run", "", call)
        out: dict[str, Outcome] = {}
        for i, s in enumerate(trial.steps):
            if i < run.running:
                out[s.out] = Outcome(value=Value("none")) if s.op == "new" else Outcome(error=lost)
            elif i == run.running:
                out[s.out] = per[s.out]
            else:
                out[s.out] = Outcome(error=not_run)
        return out


def _run(session: WorkerSession, trials: list[Trial], outcomes: dict[str, dict[str, Outcome]],
         module: str | None = None, timeouts: _Timeouts | None = None) -> None:
    timeouts = timeouts or _Timeouts()
    for trial in trials:
        run = session.run(trial.steps, trial.sent_inputs, module)
        outcomes[trial.name] = timeouts.outcomes(trial, run)


def _forward_status(plan: _Plan, outcomes: dict[str, dict[str, Outcome]]
                    ) -> dict[str, tuple[bool, str, object]]:
    """For every trial with an oracle on a forward output: (matched, precision, spec)."""
    status: dict[str, tuple[bool, str, object]] = {}
    for spec in plan.exercise.numeric:
        recipe, out = spec.verify if spec.verify else (spec.recipe, spec.output)
        for t in plan.trials:
            exp = plan.expectations.get(t.name, {}).get(out)
            if t.recipe != recipe or exp is None or t.name in status:
                continue
            got = outcomes.get(t.name, {}).get(out)
            ok, precision = oracle.forward_matches(got, exp.expected) if got is not None else (False, "f64")
            status[t.name] = (ok, precision, spec)
    return status


def _usable_forward(outcome: Outcome | None) -> bool:
    if outcome is None or not outcome.ok or outcome.value is None or outcome.value.array is None:
        return False
    arr = outcome.value.array
    return outcome.value.kind in ("array", "scalar") and arr.dtype.kind == "f" and bool(np.all(np.isfinite(arr)))


def _numeric_phase(plan: _Plan, session: WorkerSession, outcomes: dict[str, dict[str, Outcome]],
                   status: dict[str, tuple[bool, str, object]], *, fresh_checks: bool,
                   module: str | None = None) -> list[str]:
    """Finite differences of the student's own forward.

    - Where the forward is wrong (any mode): the gradients that forward implies
      (its own upstream), so a backward consistent with it can be recognised.
    - Student mode, once the forward matches every public case: fresh upstream
      gradients, and the backward compared with the finite differences.
    """
    notes: list[str] = []
    ex = plan.exercise
    stored = {s.name for s in plan.stored}
    index = 0
    for spec in ex.numeric:
        recipe, out = spec.verify if spec.verify else (spec.recipe, spec.output)
        bases = [t for t in plan.trials if t.recipe == spec.recipe and t.visibility == "public" and not t.kink]
        if not spec.directional:
            for base in bases:
                ok, precision, _ = status.get(base.name, (True, "f64", None))
                if ok or not _usable_forward(outcomes.get(base.name, {}).get(spec.output)):
                    continue
                index += 1
                n = oracle.NumericPlan(ex, spec, base, precision, index, fresh=False)
                _run(session, n.trials(), outcomes, module)
                for grad_out, e in n.expectations(outcomes.get(n.probe.name, {})).items():
                    current = plan.expectations.get(base.name, {}).get(grad_out)
                    if current is not None:
                        plan.expectations[base.name][grad_out] = replace(current, consistent=e.expected.array)
        if not fresh_checks:
            continue
        checked = [status[t.name] for t in plan.trials if t.recipe == recipe and t.name in stored and t.name in status]
        verified = bool(checked) and all(ok for ok, _, _ in checked)
        precision = "f32" if any(p == "f32" for _, p, _ in checked) else "f64"
        fresh_bases = [t for t in bases if (t.name not in stored) == spec.directional]
        if not verified:
            note = ("your backward pass was not compared with finite differences of your forward: the forward "
                    "does not match the public cases yet")
            if note not in notes:
                notes.append(note)
            if spec.directional:
                for base in fresh_bases:
                    for name, grad_out in spec.wrt:
                        shape = to_convention(np.zeros(np.shape(base.inputs[name])),
                                              np.shape(base.inputs[name]), spec.layout).shape
                        plan.expectations.setdefault(base.name, {})[grad_out] = Expectation(
                            Projected(shape, (), ()), "numeric",
                            note="values not compared: the forward does not match the public cases yet")
            continue
        for base in fresh_bases:
            index += 1
            n = oracle.NumericPlan(ex, spec, base, precision, index)
            new_trials = n.trials()
            _run(session, new_trials, outcomes, module)
            for t in new_trials:
                if t is not n.probe and t not in plan.trials:
                    plan.trials.append(t)
            plan.expectations.setdefault(n.target.name, {}).update(n.expectations(outcomes.get(n.probe.name, {})))
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


def grade_exercise(course: Course, plan: _Plan, path: Path, session: WorkerSession
                   ) -> ExerciseResult:
    """Grade one exercise file in a started worker (which stays open for the next exercise)."""
    ex = plan.exercise
    started = time.monotonic()
    session.restart_clock()
    mark = session.output_mark()
    load = session.load(ex.module_name)
    if not load.loaded:
        status, msg, checks = _load_failure(ex, load, path.name)
        return ExerciseResult(ex.id, ex.title, status, 0.0, ex.max_score, checks, path.name, msg,
                              session.captured().stdout[mark:][-2000:], seconds=time.monotonic() - started)
    outcomes: dict[str, dict[str, Outcome]] = {}
    inputs_after: dict[str, Mapping[str, bytes]] = {}
    timeouts = _Timeouts()
    for t in plan.trials:
        run = session.run(t.steps, t.sent_inputs, ex.module_name, shared=t.shared)
        outcomes[t.name] = timeouts.outcomes(t, run)
        if run.inputs_after is not None:
            inputs_after[t.name] = run.inputs_after
    notes: list[str] = []
    forward = _forward_status(plan, outcomes)
    if ex.numeric and session.termination is None:
        student_mode = not any(t.visibility == "hidden" for t in plan.trials)
        notes = _numeric_phase(plan, session, outcomes, forward, fresh_checks=student_mode, module=ex.module_name)
    status, status_msg = _status(session, outcomes)
    if status == "timeout" and timeouts.hung:
        status_msg = f"{status_msg}: {timeouts.hung}"
    gradients = {}
    for spec in ex.numeric:
        if not spec.directional:
            gradients[spec.recipe] = frozenset(g for _, g in spec.wrt)
    ctx = CheckContext(ex.id, path.name, tuple(plan.trials), outcomes, plan.expectations, ex,
                       {name: ok for name, (ok, _, _) in forward.items()}, gradients, inputs_after)
    results = dx.share_naming(ex.checks, gate_hygiene(ex.checks, tuple(c.evaluate(ctx) for c in ex.checks)))
    counts = {}
    for t in plan.trials:
        if t.visibility in ("public", "hidden", "numeric") and t.recipe in _oracle_recipes(ex):
            counts[t.visibility] = counts.get(t.visibility, 0) + 1
    case_counts = tuple(CaseCount(v, 0, counts[v]) for v in ("public", "hidden", "numeric") if v in counts)
    attempted = sorted({a for per in outcomes.values() for o in per.values() for a in o.attempts}
                       | set(load.attempts))
    if attempted:
        notes.append("the code tried operations the grader blocks: " + "; ".join(attempted[:5]))
    message = "; ".join([m for m in [status_msg] + notes if m])
    return ExerciseResult(ex.id, ex.title, status, float(sum(r.score for r in results)), ex.max_score, results,
                          path.name, message, session.captured().stdout[mark:][-2000:], case_counts,
                          time.monotonic() - started)


def _missing(ex: Exercise, refused: str = "") -> ExerciseResult:
    """The result of an exercise with no file to grade (or one the grader refused to read, and why)."""
    msg = refused or f"{ex.file} was not found in the submission"
    return ExerciseResult(ex.id, ex.title, "missing", 0.0, ex.max_score,
                          _all_failed(ex, (dx.MISSING,), msg, dx.hint_for(dx.MISSING, ex)), "", msg)


def check_privileges(hello: LoadReport, *, allow_root: bool) -> None:
    """Refuse to go on when the grader runs as root and the worker kept root's privileges.

    Decided from /proc (`LoadReport.credentials`) where it can be read, else
    from the worker's hello, before any student code has run. allow_root:
    the user asked explicitly to grade anyway.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or allow_root:
        return
    creds = hello.credentials
    kept = creds.privileged if creds is not None else "uid" not in hello.layers
    if kept:
        why = dict(hello.skipped).get("uid", "it kept root's uid or capabilities")
        raise PrivilegeError(
            f"refusing to grade as root: the worker could not drop root's privileges ({why}). Run grade as an "
            f"ordinary user, or pass --allow-root to accept that student code runs as root, where any layer that "
            f"fails leaves it free to read or change every file of this machine")


def _grade_group(course: Course, exercises: list[Exercise], files: Mapping[str, Path | None],
                 plans: Mapping[str, _Plan], options: Options, zygote, locate=None
                 ) -> tuple[dict[str, ExerciseResult], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Grade exercises one after another in one worker; a fresh worker after a death or timeout."""
    results: dict[str, ExerciseResult] = {}
    layers: tuple[str, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()
    creds = None
    session: WorkerSession | None = None
    try:
        for i, ex in enumerate(exercises):
            path = files[ex.id]
            if session is None or session.termination is not None:
                if session is not None:
                    session.close()
                remaining = {e.module_name: str(files[e.id]) for e in exercises[i:]}
                session = WorkerSession(modules=remaining, limits=options.limits, isolation=options.isolation,
                                        zygote=zygote, locate=locate)
                hello = session.start()
                if not hello.started:
                    captured = session.close()
                    last = (captured.stderr.strip().splitlines() or ["no output"])[-1]
                    detail = hello.termination.detail if hello.termination else "no answer"
                    raise WorkerStartError(f"the grading worker could not start ({detail}; it said: {last[:300]}). "
                                           f"Is the project installed (`pip install -e .`) in this Python?")
                check_privileges(hello, allow_root=options.allow_root)
                layers, skipped, creds = hello.layers, hello.skipped, hello.credentials
            results[ex.id] = grade_exercise(course, plans[ex.id].copy(), path, session)
    finally:
        if session is not None:
            session.close()
    return results, layers, skipped, creds


def grade_files(course: Course, files: Mapping[str, Path | None], *, label: str,
                options: Options = Options(), plans: Mapping[str, _Plan] | None = None,
                zygote=None, workers: int | None = None, locate=None,
                refused: Mapping[str, str] | None = None, assignment: str | None = None) -> Report:
    """Grade the given exercise files ({exercise id: path or None}) as one submission.

    plans: precomputed `plan_all` results (a batch computes them once);
    zygote: a running `grader.isolation.zygote.Zygote` to fork workers from (a batch
    shares one); without one, and with options.use_zygote, a zygote is
    started for this call, and fresh interpreters are used if it cannot start.
    workers: how many worker processes share this submission's exercises
    (default: one per core, for a quick answer; a batch uses one).
    locate: maps traceback frames of generated modules back to notebook
    cells (`grader.submissions.conversion.Conversion.locate`).
    refused: {exercise id: why its file was not read (a link)}; such an
    exercise is `missing` with that reason.
    assignment: the id of the assignment these exercises are graded for,
    recorded in the report (default: the one assignment holding them all).
    """
    started = time.monotonic()
    exercises = [course.exercise(i) for i in files]
    instructor = is_instructor(course, list(files), options.mode)
    present = [e for e in exercises if files[e.id] is not None]
    groups_n = max(1, min(len(present), workers or os.cpu_count() or 1))
    groups = [present[k::groups_n] for k in range(groups_n)] if present else []
    own_zygote = None
    if zygote is None and options.use_zygote and len(groups) > 1:
        from grader.isolation.zygote import Zygote, ZygoteError

        try:
            own_zygote = zygote = Zygote()
        except (ZygoteError, OSError):
            zygote = None
    try:
        if plans is None:
            plans = {e.id: plan_exercise(course, e, instructor=instructor, salt=options.salt) for e in exercises}
        if len(groups) == 1:
            outputs = [_grade_group(course, groups[0], files, plans, options, zygote, locate)]
        else:
            with ThreadPoolExecutor(max_workers=max(1, len(groups))) as pool:
                futures = [pool.submit(_grade_group, course, g, files, plans, options, zygote, locate)
                           for g in groups]
                outputs = [f.result() for f in futures]
    finally:
        if own_zygote is not None:
            own_zygote.close()
    by_id = {k: v for results, _, _, _ in outputs for k, v in results.items()}
    layers = next((layers for _, layers, _, _ in outputs if layers), ())
    skipped = next((sk for _, layers, sk, _ in outputs if layers), ())
    creds = next((c for _, _, _, c in outputs if c is not None), None)
    refused = refused or {}
    exercise_results = tuple(by_id.get(e.id) or _missing(e, refused.get(e.id, "")) for e in exercises)
    graded_for, title = assignment_names(course, [e.id for e in exercises], assignment)
    return Report(label, "instructor" if instructor else "student", exercise_results, layers,
                  time.monotonic() - started, isolation_skipped=skipped,
                  worker_uid=creds.uid if creds is not None else None, assignment=graded_for,
                  assignment_title=title)


def assignment_names(course: Course, exercise_ids, assignment: str | None = None) -> tuple[str, str]:
    """(id, title for the report's title line) of the assignment graded: `assignment`, or else the one
    assignment holding every exercise graded ("" when none does). The title is "" when the course has a
    single assignment: there is nothing to tell apart."""
    assignments = course.assignments()
    if assignment is not None:
        chosen = course.assignment(assignment)
    else:
        chosen = next((a for a in assignments if exercise_ids and set(exercise_ids) <= set(a.exercises)), None)
    if chosen is None:
        return "", ""
    return chosen.id, (chosen.title if len(assignments) > 1 else "")
