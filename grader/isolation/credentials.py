"""What the trusted parent can see for itself of a worker's privileges: read from /proc, not asked.

The worker says which sandbox layers it applied (its "hello"), but the
worker is the student's process, so the parent checks what it can in
/proc/<pid>: the uids, gids and groups, the five capability sets,
no_new_privs, the seccomp mode and the namespaces. A layer the worker
claims but /proc contradicts is not recorded as in force. Landlock and the
rlimits are not visible there (the kernel exposes no Landlock state); they
are taken from the hello, which the worker sends before any student code
has run.

Linux only: elsewhere `read` returns None and the claims stand.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

#: The /proc/<pid>/status lines holding the capability sets, as hex masks.
_CAP_FIELDS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")
#: Namespaces whose difference from the parent's shows the "namespaces" layer.
NAMESPACES = ("net", "pid", "uts", "ipc", "mnt", "user")


@dataclass(frozen=True)
class Credentials:
    """A worker's privileges as /proc showed them.

    uids, gids: (real, effective, saved, filesystem); capabilities: each
    set's mask by /proc name (CapEff…); seccomp: 0 off, 1 strict, 2 filter;
    namespaces: those in which the worker differs from the parent.
    """

    pid: int
    uids: tuple[int, ...]
    gids: tuple[int, ...]
    groups: tuple[int, ...]
    capabilities: tuple[tuple[str, int], ...]
    no_new_privs: bool
    seccomp: int
    namespaces: frozenset[str]

    @property
    def uid(self) -> int:
        """The effective uid."""
        return self.uids[1]

    @property
    def privileged(self) -> bool:
        """Does the worker keep root's uid, a root group, or any capability in any set?"""
        return 0 in self.uids or 0 in self.gids or 0 in self.groups or any(mask for _, mask in self.capabilities)

    def confirm(self, claimed: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """Split the claimed layers into (confirmed or not checkable here, (layer, why it is not) pairs)."""
        kept, refuted = [], []
        for layer in claimed:
            why = self._contradiction(layer)
            if why:
                refuted.append((layer, why))
            else:
                kept.append(layer)
        return tuple(kept), tuple(refuted)

    def _contradiction(self, layer: str) -> str:
        if layer == "namespaces" and not {"net", "pid"} <= self.namespaces:
            return "claimed by the worker, but /proc shows it shares the network or pid namespace"
        if layer == "uid" and (self.privileged or len(set(self.uids)) != 1):
            return f"claimed by the worker, but /proc shows uids {self.uids} and capabilities still held"
        if layer == "seccomp" and self.seccomp != 2:
            return "claimed by the worker, but /proc shows no seccomp filter"
        if layer.startswith("landlock") and not self.no_new_privs:
            return "claimed by the worker, but /proc shows no_new_privs unset, which Landlock needs"
        return ""


def _ids(value: str) -> tuple[int, ...]:
    return tuple(int(x) for x in value.split())


def read(pid: int) -> Credentials | None:
    """The credentials of process `pid`, or None when /proc cannot tell (not Linux, or the process is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            fields = dict(line.split(":", 1) for line in fh.read().splitlines() if ":" in line)
        namespaces = frozenset(ns for ns in NAMESPACES
                               if os.readlink(f"/proc/{pid}/ns/{ns}") != os.readlink(f"/proc/self/ns/{ns}"))
        return Credentials(
            pid=pid,
            uids=_ids(fields["Uid"]),
            gids=_ids(fields["Gid"]),
            groups=_ids(fields.get("Groups", "")),
            capabilities=tuple((name, int(fields[name].strip(), 16)) for name in _CAP_FIELDS if name in fields),
            no_new_privs=fields.get("NoNewPrivs", "0").strip() == "1",
            seccomp=int(fields.get("Seccomp", "0").strip() or 0),
            namespaces=namespaces,
        )
    except (OSError, KeyError, ValueError):
        return None


def parent_of(pid: int) -> int | None:
    """The parent pid of `pid` from /proc/<pid>/stat, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return int(fh.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None
