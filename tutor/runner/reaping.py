"""Process trees: find every descendant of a process and end them all, with no escape by fork.

Used by the zygote (a child subreaper: orphans of its workers come back to it), by each worker
(also a subreaper, so its own orphans stay in its tree while it lives) and by the client when it
must end a stopped or dead zygote's tree. Linux reads /proc; elsewhere only the process group is
reached. No torch here: the client imports it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
#: Rounds of "stop what is new, look again" before the tree is taken as complete.
STOP_ROUNDS = 50


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        return int(ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def become_subreaper() -> bool:
    """Make orphaned descendants of this process its children again (Linux); True if done."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)


def parent_death_signal(signum: int) -> bool:
    """Have Linux send `signum` to this process when its parent (thread) exits."""
    return _prctl(PR_SET_PDEATHSIG, int(signum))


def open_fds() -> list[int]:
    """The fds open in this process."""
    for path in ("/proc/self/fd", "/dev/fd"):
        try:
            return [int(name) for name in os.listdir(path)]
        except OSError:
            continue
    return list(range(3, 256))


def process_table() -> dict[int, tuple[int, int]] | None:
    """`{pid: (ppid, resident pages)}` of every process, or None without /proc."""
    table: dict[int, tuple[int, int]] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return None
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
        except OSError:
            continue
        # After the command: state, ppid, ... rss is field 24 of stat, 22 after the command.
        with contextlib.suppress(IndexError, ValueError):
            table[int(name)] = (int(fields[1]), int(fields[21]))
    return table


def descendants(root: int, table: dict[int, tuple[int, int]] | None = None) -> set[int]:
    """Every process below `root` (not `root` itself)."""
    table = process_table() if table is None else table
    if not table:
        return set()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def fate(pid: int) -> str | None:
    """"killed" when `pid` is gone, a zombie, or has SIGKILL pending; "stopped" when it is
    stopped or has SIGSTOP pending; None when it runs on (or without /proc to tell).

    A worker asks this of its zygote after each request: a signal is queued by the `kill()` that
    sends it, so a cell that killed or stopped the zygote is caught before its reply is sent,
    not a moment later (when the reply would already have said "ok")."""
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
    except (FileNotFoundError, ProcessLookupError):
        return "killed" if os.path.isdir("/proc/self") else None  # macOS: no /proc at all
    except (OSError, ValueError):
        return None
    state = fields.get("State", "?").split()[0] if fields.get("State", "").split() else "?"
    try:
        pending = int(fields.get("SigPnd", "0"), 16) | int(fields.get("ShdPnd", "0"), 16)
    except ValueError:
        pending = 0
    if state in ("Z", "X") or pending & (1 << (signal.SIGKILL - 1)):
        return "killed"
    if state in ("T", "t") or pending & (1 << (signal.SIGSTOP - 1)):
        return "stopped"
    return None


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signum)


def end_tree(root: int, *, include_root: bool = True) -> set[int]:
    """SIGKILL `root`'s whole tree; returns the pids signalled.

    Everything is stopped first, looking again until no new process appears, so that nothing can
    fork its way out between the look and the kill. `root`'s process group is killed too.
    """
    stopped: set[int] = set()
    if include_root:
        _signal(root, signal.SIGSTOP)
        stopped.add(root)
    for _ in range(STOP_ROUNDS):
        new = descendants(root) - stopped
        if not new:
            break
        for pid in new:
            _signal(pid, signal.SIGSTOP)
        stopped |= new
    if include_root:
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            if os.getpgid(root) == root:
                os.killpg(root, signal.SIGKILL)
    for pid in stopped:
        _signal(pid, signal.SIGKILL)
    return stopped
