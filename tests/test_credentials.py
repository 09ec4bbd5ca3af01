"""Questions about what the parent checks of a worker's privileges (grader.isolation.credentials, engine.check_privileges)."""

from __future__ import annotations

import os
import shutil

import pytest

from grader.isolation import credentials
from grader.authoring.course import find_course
from grader.isolation.credentials import Credentials
from grader.judging.engine import Options, grade_files
from grader.errors import PrivilegeError
from grader.isolation.session import Isolation

from conftest import REFERENCE, needs

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs a grader running as root")


def creds(**kw) -> Credentials:
    base = dict(pid=1, uids=(64001,) * 4, gids=(64001,) * 4, groups=(), capabilities=(("CapEff", 0),),
                no_new_privs=True, seccomp=2, namespaces=frozenset({"net", "pid"}))
    return Credentials(**{**base, **kw})


def test_does_proc_show_this_processes_own_uid():
    mine = credentials.read(os.getpid())
    assert mine is not None and mine.uid == os.geteuid() and mine.namespaces == frozenset()


def test_are_claims_that_proc_contradicts_dropped():
    claimed = ("process", "namespaces", "rlimit", "uid", "landlock7", "seccomp")
    assert creds().confirm(claimed) == (claimed, ())
    kept, refuted = creds(uids=(0,) * 4, capabilities=(("CapEff", 1),), seccomp=0,
                          namespaces=frozenset({"uts"}), no_new_privs=False).confirm(claimed)
    assert kept == ("process", "rlimit")
    assert {layer for layer, _ in refuted} == {"namespaces", "uid", "landlock7", "seccomp"}


def test_is_any_capability_or_root_id_privileged():
    assert not creds().privileged
    assert creds(capabilities=(("CapBnd", 1 << 21),)).privileged
    assert creds(groups=(0,)).privileged and creds(gids=(64001, 0, 64001, 64001)).privileged


@ROOT_ONLY
@needs("fc")
def test_does_grading_as_root_refuse_a_worker_that_keeps_root(tmp_path):
    folder = tmp_path / "student"
    shutil.copytree(REFERENCE, folder, ignore=shutil.ignore_patterns("mutants"))
    course = find_course(None)
    files = {"fc": folder / "fc.py"}
    with pytest.raises(PrivilegeError, match="--allow-root"):
        grade_files(course, files, label="s", options=Options(isolation=Isolation(uid=None)))
    report = grade_files(course, files, label="s", options=Options(isolation=Isolation(uid=None), allow_root=True))
    assert report.worker_uid == 0 and report.exercises[0].score == report.exercises[0].max_score
