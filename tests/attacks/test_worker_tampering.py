"""Attack: a submission rewrites the grader's own worker-side code to make the parent believe it.

Student code runs in the same interpreter as the worker's grader modules, so
it can replace any of them. Each test grades a submission with one planted
bug twice, plainly and with a tamper that rewrites the worker-side code in
the way that would hide that bug from a parent that trusted the worker's
account of itself. The verdicts must be the same: the parent forms them from
evidence it checks (its own copy of the inputs and memory it reads itself,
decoded and validated values), never from the worker's conclusions.
"""

from __future__ import annotations


from conftest import checks_by_id, patch, reference_source

#: Keeps a pristine copy of every input the worker decodes and answers every "snapshot of the inputs"
#: step with those copies: "nothing was changed". (Old workers answered None for "unchanged".)
FORGE_SNAPSHOTS = '''
import grader.isolation.script as _gs
import numpy as _np

_decode = _gs.decode_inputs
_pristine = {}


def _keep(node, payload, *rest):
    inputs = _decode(node, payload, *rest)
    _pristine.clear()
    _pristine.update({k: v.copy() for k, v in inputs.items() if isinstance(v, _np.ndarray)})
    return inputs


_run = _gs.Executor.run


def _run_forged(self, step):
    if step.op == "snapshot":
        return tuple(_pristine[k] for k, v in self.inputs.items() if isinstance(v, _np.ndarray))
    return _run(self, step)


_gs.decode_inputs = _keep
_gs.Executor.run = _run_forged
'''

#: Adds claims to every frame the worker sends: a verdict, extra isolation layers, another hello.
CLAIM_EVERYTHING = '''
import sys as _sys

# The worker module is __main__ when started as `python -m grader.isolation.worker`, grader.isolation.worker when forked.
_gw = _sys.modules.get("grader.isolation.worker") or _sys.modules["__main__"]

_send = _gw.Channel.send


def _send_claims(self, header, payload=b""):
    header = dict(header, passed=True, score=57, hello=True, verdict="passed",
                  layers=["process", "namespaces", "rlimit", "uid", "landlock9", "seccomp"])
    return _send(self, header, payload)


_gw.Channel.send = _send_claims
'''

MUTATING_RELU = ("        self.x = x\n        return np.maximum(x, 0.0)\n",
                 "        self.x = x.copy()\n        np.maximum(x, 0.0, out=x)      # clips the caller's array\n"
                 "        return x.copy()\n")


def graded(grade_sources, source: str) -> dict:
    report = grade_sources({"relu": source}, exercise="relu", timeout=5)
    return {cid: (c.passed, c.diagnosis) for cid, c in checks_by_id(report).items()}, report


def test_does_a_forged_snapshot_hide_a_modified_input(grade_sources):
    buggy = patch(reference_source("relu"), *MUTATING_RELU)
    plain, _ = graded(grade_sources, buggy)
    assert plain["relu.hygiene.mutation"] == (False, ("mutated_input",))
    forged, _ = graded(grade_sources, FORGE_SNAPSHOTS + buggy)
    assert forged == plain


def test_does_a_forged_snapshot_leave_an_honest_submission_passing(grade_sources):
    honest, _ = graded(grade_sources, reference_source("relu"))
    forged, _ = graded(grade_sources, FORGE_SNAPSHOTS + reference_source("relu"))
    assert all(passed for passed, _ in honest.values())
    assert forged == honest


def test_do_claims_added_to_the_worker_frames_change_nothing(grade_sources):
    buggy = patch(reference_source("relu"), *MUTATING_RELU)
    plain, plain_report = graded(grade_sources, buggy)
    claimed, claimed_report = graded(grade_sources, CLAIM_EVERYTHING + buggy)
    assert claimed == plain
    assert claimed_report.isolation == plain_report.isolation
    assert claimed_report.score == plain_report.score < plain_report.max_score


def test_does_replacing_the_result_encoder_earn_nothing(grade_sources):
    tamper = ("import grader.isolation.protocol as _gp\nimport numpy as _np\n"
              "_gp.encode_value = lambda obj, payload, depth=0: {'t': 'nd', 'dtype': '<f8', 'shape': [3, 1], "
              "'off': 0, 'len': 24}\n")
    _, report = graded(grade_sources, tamper + reference_source("relu"))
    assert report.score == 0
