"""The sandbox a served learner's worker enters before its first cell (Linux; `tutor serve`).

Every student's code runs under the teacher's uid, so the worker itself gives up what it must
not have: new privileges (PR_SET_NO_NEW_PRIVS), large files, core dumps and unbounded CPU time
(rlimits), and, with Landlock, the class directory, the teacher's home and the other students'
files. What Landlock cannot express as "everything but": it is an allow-list, so the rules are
the whole tree minus the denied subtrees (every sibling along the way down to a denied path is
allowed, the path itself is not), plus the Python installation wherever it lives, plus the
student's scratch directory, the only writable place (HOME, TMPDIR and the working directory
point there). On ABI 6 and later the worker is also scoped: it can signal and connect to an
abstract Unix socket only within its own domain (itself and its descendants); on ABI 4 and
later TCP bind and connect are denied unless the policy says `"network": true`.

The policy is plain data, sent with the spawn request (docs/architecture.md, "The sandbox"):
`{"student": NAME, "scratch": PATH, "deny": [PATH, ...]}`, optionally `"file_size_mib"`
(RLIMIT_FSIZE, default 256), `"cpu_s"` (RLIMIT_CPU of the worker's life, default 3600: a
backstop, the per-cell timeout is the runner's) and `"network"` (default false). Memory and
process counts are the runner's limits (RLIMIT_AS and the zygote's Watchdog). No torch here:
`tutor doctor` imports `capabilities()`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import resource
import signal
import site
import stat
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

PR_SET_NO_NEW_PRIVS = 38
#: System call numbers (the same on every Linux architecture: they came after the unified table).
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
#: Filesystem rights (linux/landlock.h) and the ABI that introduced each.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FS_RIGHTS_ABI1 = (1 << 13) - 1
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
#: Rights that make sense on a file (the others are for directories only).
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
#: Device files every worker may read and write (and, on ABI 5, use ioctl on).
DEVICES = ("null", "zero", "full", "random", "urandom")
#: Prefixes of device files a GPU worker needs (NVIDIA's driver).
GPU_DEVICE_PREFIXES = ("nvidia",)
#: Denied in every sandbox: shared memory (another worker's segments) and the teacher's
#: runtime directory (its agent and session sockets), besides what the policy lists.
ALWAYS_DENIED = ("/dev/shm", "/dev/mqueue")
#: Environment variables a learner's cell must not see (the teacher's agents and secrets).
SECRET_ENV = ("SSH_AUTH_SOCK", "SSH_AGENT_PID", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR",
              "GPG_AGENT_INFO", "KRB5CCNAME")
SECRET_ENV_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "API_KEY")
DEFAULT_FILE_SIZE_MIB = 256
DEFAULT_CPU_S = 3600


class SandboxError(RuntimeError):
    """The sandbox could not be entered; the worker must not run a cell."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 where there is none (or not Linux)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        libc = _libc()
        libc.syscall.restype = ctypes.c_long
        version = int(libc.syscall(ctypes.c_long(SYS_CREATE_RULESET), None, ctypes.c_size_t(0),
                                   ctypes.c_uint32(CREATE_RULESET_VERSION)))
    except (OSError, AttributeError):
        return 0
    return max(version, 0)


def fs_rights(abi: int) -> int:
    """Every filesystem right the kernel's ABI knows (all of them are handled, so denied unless
    a rule allows them)."""
    rights = FS_RIGHTS_ABI1 if abi >= 1 else 0
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def capabilities() -> dict[str, Any]:
    """What the sandbox can enforce on this kernel, as data (`tutor doctor`, `tutor serve`).

    `missing` lists, one sentence each, the protections this kernel cannot give.
    """
    linux = sys.platform.startswith("linux")
    abi = landlock_abi()
    data: dict[str, Any] = {
        "kernel": platform.release(),
        "landlock_abi": abi,
        "no_new_privs": linux,
        "rlimits": ["RLIMIT_FSIZE", "RLIMIT_CPU", "RLIMIT_CORE"] if linux else [],
        "files": abi >= 1,
        "signals": abi >= 6,
        "abstract_unix_sockets": abi >= 6,
        "tcp": abi >= 4,
        "missing": [],
    }
    missing = data["missing"]
    if not linux:
        missing.append("the sandbox needs Linux: learners' cells run unconfined")
    elif abi == 0:
        missing.append("no Landlock (Linux 5.13+, enabled in the LSM list): learners can read "
                       "and write every file the server's user can")
    else:
        if abi < 6:
            missing.append(f"Landlock ABI {abi} < 6: learners can signal other workers and "
                           "connect to abstract Unix sockets")
        if abi < 4:
            missing.append(f"Landlock ABI {abi} < 4: learners can open TCP connections")
    return data


def _prctl_no_new_privs() -> None:
    if int(_libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) != 0:
        raise SandboxError(f"PR_SET_NO_NEW_PRIVS failed: {os.strerror(ctypes.get_errno())}")


#: Landlock's right to create block devices: what a domain of its own handles (and so denies),
#: a right that evaluating an expression never needs.
MAKE_BLOCK = 1 << 11


def own_domain() -> bool:
    """Put this process in a Landlock domain of its own (a code answer's throwaway copy): it then
    cannot reach its parent's memory through /proc/PPID/mem or ptrace (Landlock lets a domain
    act only on processes inside it, whatever the user's privileges), nor, from ABI 6, signal
    processes outside it. Nothing else changes. False where the kernel has no Landlock."""
    abi = landlock_abi()
    if abi < 1:
        return False
    libc = _libc()
    attr = _RulesetAttr(MAKE_BLOCK, 0, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6
                        else 0)
    ruleset = int(libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), 24 if abi >= 6 else 8,
                               0))
    if ruleset < 0:
        return False
    try:
        _prctl_no_new_privs()
        return int(libc.syscall(SYS_RESTRICT_SELF, ruleset, 0)) == 0
    except SandboxError:
        return False
    finally:
        os.close(ruleset)


def _real(path: str) -> str:
    return os.path.realpath(os.path.abspath(path))


def _within(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip("/") + "/")


def _carve(top: str, denied: list[str]) -> Iterator[str]:
    """Paths that together cover `top`'s tree except the `denied` subtrees below it.

    Symbolic links are skipped: access through one is checked at its target. A denied path's
    ancestors get no rule of their own, so they cannot be listed either.
    """
    below = [d for d in denied if d != top and _within(d, top)]
    if not below:
        yield top
        return
    try:
        entries = list(os.scandir(top))
    except OSError:
        return
    for entry in entries:
        child = os.path.join(top, entry.name)
        if child in denied or entry.is_symlink():
            continue
        if any(_within(d, child) for d in below) and entry.is_dir(follow_symlinks=False):
            yield from _carve(child, below)
        else:
            yield child


def python_paths() -> list[str]:
    """Where the interpreter, its libraries and the tutor live: readable even inside a denied
    tree (a teacher's venv in the teacher's home). Never the working directory."""
    tutor_package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, tutor_package]
    with contextlib.suppress(AttributeError):
        paths += [*site.getsitepackages(), site.getusersitepackages()]
    found: list[str] = []
    for path in paths:
        real = _real(path)
        if os.path.exists(real) and real not in found:
            found.append(real)
    return found


def plan(policy: dict[str, Any], abi: int) -> list[tuple[str, int]]:
    """The Landlock rules for `policy`: (path, rights) pairs; directory rights are trimmed to
    file rights where the path is a file."""
    rights = fs_rights(abi)
    read = (EXECUTE | READ_FILE | READ_DIR) & rights
    scratch = _real(str(policy["scratch"]))
    denied = sorted({_real(str(p)) for p in policy.get("deny", [])} | set(ALWAYS_DENIED))
    rules = [(path, read) for path in _carve("/", denied)]
    for top in python_paths():
        if any(_within(top, d) for d in denied):
            rules += [(path, read) for path in _carve(top, denied)]
    device_rights = (READ_FILE | WRITE_FILE | IOCTL_DEV) & rights
    with contextlib.suppress(OSError):
        for name in sorted(os.listdir("/dev")):
            if name in DEVICES or name.startswith(GPU_DEVICE_PREFIXES):
                rules.append((os.path.join("/dev", name), device_rights | (read & READ_DIR)))
    rules.append((scratch, rights))
    return rules


def _add_rules(ruleset: int, rules: list[tuple[str, int]]) -> int:
    """Add each rule; return how many were added (a path that vanished meanwhile is skipped)."""
    libc = _libc()
    added = 0
    for path, rights in rules:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            continue
        try:
            if not stat.S_ISDIR(os.fstat(fd).st_mode):
                rights &= FILE_RIGHTS
            if not rights:
                continue
            attr = _PathBeneathAttr(rights, fd)
            if libc.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(attr), 0):
                raise SandboxError(f"Landlock refused a rule for {path}: "
                                   f"{os.strerror(ctypes.get_errno())}")
            added += 1
        finally:
            os.close(fd)
    return added


def _landlock(policy: dict[str, Any], abi: int) -> dict[str, Any]:
    """Build the ruleset for `policy` and restrict this thread (the worker's only one) to it."""
    libc = _libc()
    attr = _RulesetAttr(fs_rights(abi), 0, 0)
    size = 8
    if abi >= 4:
        size = 16
        if not policy.get("network", False):
            attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP
    if abi >= 6:
        size = 24
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
    ruleset = int(libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), size, 0))
    if ruleset < 0:
        raise SandboxError(f"Landlock ruleset: {os.strerror(ctypes.get_errno())}")
    try:
        rules = _add_rules(ruleset, plan(policy, abi))
        if libc.syscall(SYS_RESTRICT_SELF, ruleset, 0):
            raise SandboxError(f"Landlock restrict: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)
    return {"landlock_abi": abi, "rules": rules, "signals": abi >= 6,
            "abstract_unix_sockets": abi >= 6, "tcp": abi >= 4 and not policy.get("network")}


def clean_environment(environ: Any = os.environ) -> dict[str, str]:
    """`environ` without the teacher's agents and secrets (SECRET_ENV, SECRET_ENV_WORDS).

    A worker scrubs its own `os.environ`, but /proc/PID/environ still shows the environment the
    runner's zygote was started with, to every worker: `tutor serve` starts its shared runner
    with this one.
    """
    return {name: value for name, value in environ.items()
            if name not in SECRET_ENV
            and not any(word in name.upper() for word in SECRET_ENV_WORDS)}


def _scrub_environment(scratch: str) -> None:
    kept = clean_environment()
    for name in list(os.environ):
        if name not in kept:
            del os.environ[name]
    for name in ("HOME", "TMPDIR", "TMP", "TEMP"):
        os.environ[name] = scratch
    os.environ.pop("XDG_CACHE_HOME", None)
    os.environ.pop("XDG_CONFIG_HOME", None)
    tempfile.tempdir = scratch
    os.chdir(scratch)


def _rlimits(policy: dict[str, Any]) -> None:
    size = int(policy.get("file_size_mib", DEFAULT_FILE_SIZE_MIB)) * 1024 * 1024
    cpu = int(policy.get("cpu_s", DEFAULT_CPU_S))
    for limit, value in ((resource.RLIMIT_FSIZE, size), (resource.RLIMIT_CORE, 0),
                         (resource.RLIMIT_CPU, cpu)):
        _, hard = resource.getrlimit(limit)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(limit, (value, value))
    # Past RLIMIT_FSIZE a write fails with EFBIG (a clear OSError) instead of killing the worker.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def apply(policy: dict[str, Any]) -> dict[str, Any]:
    """Enter the sandbox `policy` describes; returns what is in force. Never undone.

    Must run in a single-threaded process (Landlock restricts the calling thread and what it
    later starts); raises SandboxError where a protection the kernel has could not be applied.
    """
    if not sys.platform.startswith("linux"):
        raise SandboxError("the sandbox needs Linux")
    if _threads() != 1:
        raise SandboxError("the sandbox must be entered before any thread starts")
    scratch = _real(str(policy["scratch"]))
    os.makedirs(scratch, mode=0o700, exist_ok=True)
    runtime = os.environ.get("XDG_RUNTIME_DIR")  # the teacher's sockets: gone with the variable
    if runtime:
        policy = {**policy, "deny": [*policy.get("deny", []), runtime]}
    _scrub_environment(scratch)
    _rlimits(policy)
    _prctl_no_new_privs()
    abi = landlock_abi()
    in_force: dict[str, Any] = {"student": str(policy.get("student", "")), "scratch": scratch,
                                "no_new_privs": True, "landlock_abi": abi, "files": abi >= 1,
                                "signals": False, "abstract_unix_sockets": False, "tcp": False}
    if abi >= 1:
        in_force.update(_landlock(policy, abi))
    return in_force
