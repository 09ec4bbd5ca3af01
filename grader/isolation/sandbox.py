"""Isolation layers for the worker, applied by its bootstrap before any student code.

Each layer is detected when it is applied; one that is not available is
skipped with a reason, never a crash. The layers, in the order applied:

1. "namespaces" (Linux; root, or unprivileged user namespaces): new network,
   pid, UTS and IPC namespaces (and, as root, a mount namespace). The
   worker's bootstrap forks after unshare(), so student code runs as pid 1
   of its own pid namespace: when it ends, the kernel kills every process
   left in the namespace, including a grandchild that called setsid(). The
   network namespace has no interfaces up.
2. "rlimit" (POSIX): address space, CPU time, file size, open files, no core
   files, and the process count under a dedicated uid.
3. "uid" (root only): every capability is dropped from every set (bounding,
   ambient, inheritable, permitted, effective), then setgroups([]), setresgid
   and setresuid to one unprivileged uid. Where the interpreter lives under a
   folder that uid cannot traverse (a mode-0700 home directory), the mount
   namespace gets an empty tmpfs over that folder with only the interpreter's
   own folders bind-mounted back, read-only, at their usual paths
   (`expose`), so the drop works without changing any permission on disk.
   Without root, the capabilities a user namespace grants are dropped too.
   no_new_privs is set in every case. The parent-death signal is set after
   the last credential change (a credential change clears it).
4. "landlock" (Linux ≥ 5.13): reads only under the Python prefix, the
   environment's site-packages, the system's shared libraries and the
   worker's scratch folder (which holds a copy of the submission); writes
   only in the scratch folder, where no device node can be made; TCP
   bind/connect denied (ABI ≥ 4); signals to processes outside the sandbox
   denied (ABI ≥ 6). The best ABI is probed.
5. "seccomp" (Linux x86_64/aarch64): EPERM for execve/execveat, process
   creation other than threads (fork, vfork, clone without CLONE_THREAD;
   clone3 answers ENOSYS so threads fall back to clone), socket, ptrace,
   process_vm_*, mount, unshare, setns, bpf, keyctl, perf_event_open,
   userfaultfd, kexec/module loading, and prctl(PR_SET_PDEATHSIG) (so the
   worker cannot outlive its holder).

Landlock, seccomp, mounts and capabilities are set with raw system calls
through ctypes, so no system library or extra package is needed.
`LEVELS` orders the layers for `--min-isolation`. What the worker says it
applied is checked by the parent from /proc (`grader.isolation.credentials`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import stat
import struct
import sys

#: Isolation levels, weakest first; a level requires every layer up to it.
LEVELS = ("process", "rlimit", "landlock", "seccomp", "namespaces", "uid")


def _has(layers, level: str) -> bool:
    # "landlock7" is the landlock layer at ABI 7
    return level == "process" or any(layer == level or layer.startswith(level) for layer in layers)


def level_reached(layers: tuple[str, ...] | list[str]) -> str:
    """The highest level whose layers (and all weaker ones) are all present."""
    reached = "process"
    for level in LEVELS[1:]:
        if _has(layers, level):
            reached = level
        else:
            break
    return reached


def meets(layers, minimum: str) -> bool:
    """Do the applied layers include `minimum` and every weaker layer?"""
    return all(_has(layers, level) for level in LEVELS[: LEVELS.index(minimum) + 1])


_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _syscall(number: int, *args) -> int:
    libc = _c()
    libc.syscall.restype = ctypes.c_long
    res = libc.syscall(ctypes.c_long(number), *args)
    if res < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return res


def _prctl(option: int, arg2: int = 0, arg3=0, arg4: int = 0, arg5: int = 0) -> None:
    libc = _c()
    if libc.prctl(option, arg2, arg3, arg4, arg5) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
SECCOMP_MODE_FILTER = 2
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT = 1, 2, 4, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18


def die_with_parent(parent: int | None = None, *, sig: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process (or send `sig`) when its parent dies (Linux; a no-op elsewhere).

    parent: the parent's pid; if the parent is already gone (it died before
    the request took effect), exit at once. In a new pid namespace the
    parent is outside it and getppid() is 0 either way, so that check is
    left to the request pipe, whose end of file stops an idle worker.
    A credential change clears the request, so call this after the last one.
    """
    if platform.system() != "Linux":
        return
    import signal

    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL if sig is None else sig)
    except OSError:
        return
    if parent is not None and os.getppid() not in (parent, 0):
        os._exit(70)


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux ≥ 3.4); False where not possible.

    A grandchild whose parent died (one that called setsid() to leave the
    process group, say) is then reparented here instead of to init, so the
    holder can kill it when the worker ends, even without a pid namespace.
    """
    if platform.system() != "Linux":
        return False
    try:
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------
# namespaces


def _unshare(flags: int) -> None:
    if platform.system() != "Linux":
        raise OSError(errno.ENOSYS, "namespaces need Linux")
    if _c().unshare(flags) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"unshare: {os.strerror(err)}")


def enter_namespaces() -> None:
    """unshare() new network, pid, UTS and IPC namespaces (plus a user namespace when not root).

    The caller must fork next: its child becomes pid 1 of the new pid
    namespace. Raises OSError when not possible.
    """
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC
    _unshare(flags | (CLONE_NEWUSER if uid != 0 else 0))
    if uid != 0:
        # Map ourselves to ourselves inside the user namespace (no privilege is gained).
        with open("/proc/self/setgroups", "w") as fh:
            fh.write("deny")
        with open("/proc/self/uid_map", "w") as fh:
            fh.write(f"{uid} {uid} 1")
        with open("/proc/self/gid_map", "w") as fh:
            fh.write(f"{gid} {gid} 1")


def private_mounts() -> None:
    """A mount namespace of our own, private, so nothing mounted in it reaches the host (root only)."""
    _unshare(CLONE_NEWNS)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)


# ---------------------------------------------------------------------------
# uid drop


def hidden_folders(paths) -> list[str]:
    """The outermost folders that an unprivileged uid cannot traverse on the way to `paths`.

    Only proper ancestors count (a path's own mode is its own business), and
    only the "other" execute bit: the dropped uid has no groups.
    """
    found: list[str] = []
    for path in sorted({os.path.realpath(p) for p in paths}):
        current = "/"
        for part in path.strip("/").split("/")[:-1]:
            current = os.path.join(current, part)
            if any(current == f or current.startswith(f + os.sep) for f in found):
                break
            try:
                mode = os.stat(current).st_mode
            except OSError:
                break
            if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
                found.append(current)
                break
    return found


def _mount(source, target, fstype, flags: int, data=None) -> None:
    def b(x):
        return None if x is None else os.fsencode(x)

    libc = _c()
    if libc.mount(b(source), b(target), b(fstype), ctypes.c_ulong(flags), b(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def expose(read_only, read_write=()) -> list[str]:
    """Make `read_only` readable and `read_write` usable by an unprivileged uid, at their own paths.

    Needs root in a private mount namespace (`private_mounts`).
    Each folder an unprivileged uid cannot traverse on the way (say /root,
    mode 0700) is covered by an empty tmpfs, and each path beneath it is
    bind-mounted back at its own path: read-only, no devices, no set-uid.
    Nothing else of the covered folder is visible. Returns the covered folders.
    """
    wanted = {os.path.realpath(p): False for p in read_only if os.path.exists(p)}
    wanted.update({os.path.realpath(p): True for p in read_write if os.path.exists(p)})
    covered = hidden_folders(wanted)
    for folder in covered:
        below = sorted(p for p in wanted if p.startswith(folder + os.sep))
        # Descriptors first: the paths vanish from view once the tmpfs is mounted.
        fds = {p: os.open(p, os.O_PATH | os.O_CLOEXEC) for p in below}
        try:
            _mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=256k")
            for path in below:
                if stat.S_ISDIR(os.fstat(fds[path]).st_mode):
                    os.makedirs(path, mode=0o755, exist_ok=True)
                else:
                    os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
                    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_CLOEXEC, 0o644))
                _mount(f"/proc/self/fd/{fds[path]}", path, None, MS_BIND | MS_REC)
                flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | (0 if wanted[path] else MS_RDONLY)
                _mount(None, path, None, flags)
        finally:
            for fd in fds.values():
                os.close(fd)
    return covered


def _cap_last() -> int:
    try:
        with open("/proc/sys/kernel/cap_last_cap") as fh:
            return int(fh.read().strip())
    except (OSError, ValueError):
        return 63


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _clear_capabilities() -> None:
    """Empty the effective, permitted and inheritable sets (always allowed: it only lowers)."""
    header = _CapHeader(0x20080522, 0)          # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    libc = _c()
    if libc.capset(ctypes.byref(header), data) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")


def drop_privileges(uid: int | None) -> None:
    """Leave this process with no capability in any set, no_new_privs, and (as root) the given uid.

    As root: the bounding set is emptied, ambient capabilities cleared,
    then setgroups([]), setresgid(uid), setresuid(uid), and the remaining
    sets emptied; the result is checked. Without root (for example in a user
    namespace, which grants capabilities inside it) the capabilities are
    dropped the same way and the uid stays. Raises OSError if any step
    fails. Linux only; elsewhere only the uid change and no capability work.
    """
    linux = platform.system() == "Linux"
    root = os.geteuid() == 0
    if linux:
        for cap in range(_cap_last() + 1):
            try:
                _prctl(PR_CAPBSET_DROP, cap)
            except OSError as exc:
                if exc.errno == errno.EINVAL:
                    break
                if root:
                    raise
        try:
            _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
        except OSError as exc:
            if exc.errno != errno.EINVAL:      # EINVAL: a kernel without ambient capabilities
                raise
    if root:
        if uid is None or uid == 0:
            raise OSError(errno.EINVAL, "no unprivileged uid to drop to")
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        if os.getresuid() != (uid, uid, uid) or os.getresgid() != (uid, uid, uid) or os.getgroups():
            raise OSError(errno.EPERM, "the uid drop did not take effect")
    if linux:
        _clear_capabilities()
        _prctl(PR_SET_NO_NEW_PRIVS, 1)


#: The first of the unprivileged uids workers run as when the grader runs as root (one per batch slot).
WORKER_UID_BASE = 64000


def worker_uid(slot: int = 0) -> int | None:
    """The uid a worker drops to when the grader runs as root (None when it does not run as root)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    return WORKER_UID_BASE + slot


# ---------------------------------------------------------------------------
# Landlock

_LL_CREATE, _LL_ADD_RULE, _LL_RESTRICT = 444, 445, 446
_LL_VERSION = 1 << 0
_LL_RULE_PATH_BENEATH, _LL_RULE_NET_PORT = 1, 2
_FS = {name: 1 << i for i, name in enumerate((
    "EXECUTE", "WRITE_FILE", "READ_FILE", "READ_DIR", "REMOVE_DIR", "REMOVE_FILE", "MAKE_CHAR", "MAKE_DIR",
    "MAKE_REG", "MAKE_SOCK", "MAKE_FIFO", "MAKE_BLOCK", "MAKE_SYM", "REFER", "TRUNCATE", "IOCTL_DEV"))}
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is not available."""
    if platform.system() != "Linux":
        return 0
    try:
        return int(_syscall(_LL_CREATE, None, ctypes.c_size_t(0), ctypes.c_uint32(_LL_VERSION)))
    except OSError:
        return 0


def _fs_mask(abi: int) -> int:
    mask = 0
    for name, bit in _FS.items():
        if name == "REFER" and abi < 2 or name == "TRUNCATE" and abi < 3 or name == "IOCTL_DEV" and abi < 5:
            continue
        mask |= bit
    return mask


def apply_landlock(read_only: list[str], read_write: list[str]) -> str:
    """Restrict this process; returns the layer name ("landlock<abi>") or raises OSError."""
    abi = landlock_abi()
    if abi < 1:
        raise OSError(errno.ENOSYS, "Landlock is not available in this kernel")
    handled = _fs_mask(abi)
    attr = struct.pack("<Q", handled)
    if abi >= 4:
        attr += struct.pack("<Q", _NET_BIND_TCP | _NET_CONNECT_TCP)
    if abi >= 6:
        attr += struct.pack("<Q", _SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL)
    buf = ctypes.create_string_buffer(attr, len(attr))
    ruleset = int(_syscall(_LL_CREATE, buf, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0)))
    try:
        read = _FS["EXECUTE"] | _FS["READ_FILE"] | _FS["READ_DIR"]
        write = handled & ~(_FS["MAKE_CHAR"] | _FS["MAKE_BLOCK"])      # never a device node
        for paths, access in ((read_only, read), (read_write, write)):
            for path in paths:
                try:
                    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                try:
                    is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
                    allowed = access if is_dir else access & (_FS["EXECUTE"] | _FS["WRITE_FILE"] | _FS["READ_FILE"]
                                                              | _FS.get("TRUNCATE", 0) | _FS.get("IOCTL_DEV", 0))
                    allowed &= handled
                    rule = ctypes.create_string_buffer(struct.pack("<Qi", allowed, fd), 12)
                    _syscall(_LL_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_LL_RULE_PATH_BENEATH), rule,
                             ctypes.c_uint32(0))
                finally:
                    os.close(fd)
        _prctl(PR_SET_NO_NEW_PRIVS, 1)
        _syscall(_LL_RESTRICT, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return f"landlock{abi}"


# ---------------------------------------------------------------------------
# seccomp

_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
#: Denied system calls per architecture (EPERM). clone is handled separately.
_DENY = {
    "x86_64": {
        "execve": 59, "execveat": 322, "fork": 57, "vfork": 58, "socket": 41, "socketpair": 53,
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "mount": 165, "umount2": 166,
        "unshare": 272, "setns": 308, "bpf": 321, "keyctl": 250, "add_key": 248, "request_key": 249,
        "perf_event_open": 298, "userfaultfd": 323, "kexec_load": 246, "kexec_file_load": 320,
        "init_module": 175, "finit_module": 313, "delete_module": 176, "pivot_root": 155, "chroot": 161,
        "io_uring_setup": 425, "open_tree": 428, "move_mount": 429, "fsopen": 430,
    },
    "aarch64": {
        "execve": 221, "execveat": 281, "socket": 198, "socketpair": 199, "ptrace": 117,
        "process_vm_readv": 270, "process_vm_writev": 271, "mount": 40, "umount2": 39, "unshare": 97,
        "setns": 268, "bpf": 280, "keyctl": 219, "add_key": 217, "request_key": 218, "perf_event_open": 241,
        "userfaultfd": 282, "kexec_load": 104, "kexec_file_load": 294, "init_module": 105, "finit_module": 273,
        "delete_module": 106, "pivot_root": 41, "chroot": 51, "io_uring_setup": 425, "open_tree": 428,
        "move_mount": 429, "fsopen": 430,
    },
}
_CLONE = {"x86_64": 56, "aarch64": 220}
_PRCTL = {"x86_64": 157, "aarch64": 167}
#: clone3 answers ENOSYS (not EPERM), so the C library falls back to clone(), where threads are allowed.
_CLONE3 = 435
_CLONE_THREAD = 0x00010000
_RET_ALLOW, _RET_ERRNO, _RET_KILL = 0x7FFF0000, 0x00050000, 0x80000000
# BPF opcodes
_LD_W_ABS, _JEQ_K, _JSET_K, _RET_K = 0x20, 0x15, 0x45, 0x06


def _bpf(code, jt, jf, k):
    return struct.pack("<HBBI", code, jt, jf, k & 0xFFFFFFFF)


def seccomp_program(machine: str) -> bytes:
    """The BPF filter for this architecture (see the module docstring)."""
    deny = sorted(_DENY[machine].values())
    eperm = _RET_ERRNO | errno.EPERM
    prog = [_bpf(_LD_W_ABS, 0, 0, 4),                              # arch
            _bpf(_JEQ_K, 1, 0, _AUDIT_ARCH[machine]),
            _bpf(_RET_K, 0, 0, _RET_KILL),                          # foreign ABI: kill
            _bpf(_LD_W_ABS, 0, 0, 0)]                               # syscall number
    if machine == "x86_64":
        prog += [_bpf(0x35, 0, 1, 0x40000000), _bpf(_RET_K, 0, 0, eperm)]   # JGE: x32 syscalls denied
    for nr in deny:
        prog.append(_bpf(_JEQ_K, 0, 1, nr))
        prog.append(_bpf(_RET_K, 0, 0, eperm))
    prog += [_bpf(_JEQ_K, 0, 1, _CLONE3), _bpf(_RET_K, 0, 0, _RET_ERRNO | errno.ENOSYS)]
    # prctl: PR_SET_PDEATHSIG (args[0]) denied, so the worker keeps dying with its holder
    prog += [_bpf(_JEQ_K, 0, 4, _PRCTL[machine]),
             _bpf(_LD_W_ABS, 0, 0, 16),
             _bpf(_JEQ_K, 0, 1, PR_SET_PDEATHSIG),
             _bpf(_RET_K, 0, 0, eperm),
             _bpf(_RET_K, 0, 0, _RET_ALLOW)]
    # clone: allowed only for threads (CLONE_THREAD set in the flags, args[0])
    prog += [_bpf(_JEQ_K, 0, 3, _CLONE[machine]),
             _bpf(_LD_W_ABS, 0, 0, 16),
             _bpf(_JSET_K, 1, 0, _CLONE_THREAD),
             _bpf(_RET_K, 0, 0, eperm),
             _bpf(_RET_K, 0, 0, _RET_ALLOW)]
    return b"".join(prog)


def apply_seccomp() -> str:
    machine = platform.machine()
    if platform.system() != "Linux" or machine not in _AUDIT_ARCH:
        raise OSError(errno.ENOSYS, f"seccomp filters are only set up for Linux x86_64/aarch64, not {machine}")
    program = seccomp_program(machine)
    count = len(program) // 8
    filt = ctypes.create_string_buffer(program, len(program))

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Fprog(count, ctypes.cast(filt, ctypes.c_void_p))
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    libc = _c()
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return "seccomp"


# ---------------------------------------------------------------------------
# read-only paths for Landlock


_READ_ONLY: list[str] | None = None


def read_only_paths() -> list[str]:
    """The interpreter, its installed packages and the system's shared libraries (computed once)."""
    global _READ_ONLY
    if _READ_ONLY is None:
        _READ_ONLY = _read_only_paths()
    return list(_READ_ONLY)


def _read_only_paths() -> list[str]:
    paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths |= {p for p in sys.path if p and os.path.isdir(p) and ("site-packages" in p or p.startswith(sys.base_prefix))}
    import sysconfig

    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        value = sysconfig.get_paths().get(key)
        if value:
            paths.add(value)
    for system in ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/etc/ld.so.cache",
                   "/usr/share/zoneinfo", "/dev/null", "/dev/urandom"):
        if os.path.exists(system):
            paths.add(system)
    return sorted(paths)
