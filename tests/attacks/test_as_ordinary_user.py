"""Do the attack tests pass for a grader run by an ordinary user too, not only by root?

Run as root, this test runs every other test of tests/attacks/ again as an
unprivileged uid, in a subprocess: the workers then get their isolation
from user namespaces, Landlock and seccomp instead of the uid drop. The
interpreter may live under a folder that uid cannot enter (a mode-0700
home), so the subprocess is given the same view the workers get
(`grader.isolation.sandbox.expose` in a private mount namespace). Run as an ordinary
user, the other tests already are that run, and this one is skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.isolation import sandbox

from conftest import ROOT

#: The unprivileged uid the tests run as (outside the range the grader's workers use).
USER = sandbox.WORKER_UID_BASE - 1


def _become_user(paths: list[str], writable: str) -> None:
    """In the child before exec: a private view that exposes the interpreter and the project, then the uid."""
    sandbox.private_mounts()
    sandbox.expose(paths, [writable])
    os.setgroups([])
    os.setresgid(USER, USER, USER)
    os.setresuid(USER, USER, USER)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="already an ordinary user: the other attack tests are that run")
def test_do_the_attack_tests_pass_for_an_ordinary_user(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, USER, USER)
    os.chmod(tmp_path, 0o755)
    here = Path(__file__).resolve().parent
    others = sorted(str(p) for p in here.glob("test_*.py") if p.name != Path(__file__).name)
    paths = sorted({sys.base_prefix, sys.prefix, str(ROOT), *sandbox.read_only_paths()})
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "USER": "student-grader",
           "TMPDIR": str(home), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", str(home / "pytest"),
         *others],
        cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=900,
        preexec_fn=lambda: _become_user(paths, str(home)))
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-30:])
    assert proc.returncode == 0, tail
    assert " passed" in tail and " failed" not in tail, tail
