"""The zygote's watchdog: per-worker limits the kernel cannot give, counted from /proc.

A worker's processes (RLIMIT_NPROC counts per user, all sessions of a class together, and not at
all for root) and the memory of its whole tree (RLIMIT_AS is per process, and cannot be used with
CUDA at all). No torch here; tutor.runner.zygote runs it between commands.
"""

from __future__ import annotations

import time

from tutor.i18n import N_
from tutor.runner import reaping, wire

#: Processes one worker may have below it before its tree is ended (RLIMIT_NPROC counts per
#: user, all sessions of a class together, and not at all for root; so the zygote counts).
MAX_PROCESSES = 128
#: Seconds between the zygote's looks at its parent and at its workers' trees.
TICK_S = 0.5
#: A full look at every process happens when the system's task count grew by this much, when a
#: worker had processes below it at the last look, and at least every FULL_SCAN_S seconds
#: (a look costs ~1 ms per 50 processes on the machine of BENCHMARKS.md).
SCAN_GROWTH = 16
FULL_SCAN_S = 2.0


def _tasks() -> int:
    """The system's number of tasks (from /proc/loadavg), 0 where unknown."""
    try:
        with open("/proc/loadavg") as loadavg:
            return int(loadavg.read().split()[3].partition("/")[2])
    except (OSError, IndexError, ValueError):
        return 0


def _anon_kib(pid: int) -> int:
    """Anonymous memory a process holds for itself (its share of pages shared by fork)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            return next(int(line.split()[1]) for line in rollup if line.startswith("Pss_Anon:"))
    except (OSError, StopIteration, ValueError):
        return 0


class Watchdog:
    """Per-worker limits the kernel cannot give per session: process count and tree memory.

    Memory is the workers' own anonymous memory (their share of what the fork shares) plus that of
    every process below them, so three children of 700 MiB do not pass a 1 GiB limit. This is
    how the host memory of CUDA and MPS workers is bounded too (RLIMIT_AS cannot be used with
    CUDA). It is a look every TICK_S, so a fast burst can overshoot for that long.
    """

    def __init__(self, memory_limit_mib: int | None, max_processes: int = MAX_PROCESSES) -> None:
        self.max_processes = max_processes
        self.memory_limit_kib = memory_limit_mib * 1024 if memory_limit_mib else None
        self.tasks_seen = _tasks()
        self.with_children: set[int] = set()
        self.last_scan = time.monotonic()

    def over_limit(self, workers: set[int]) -> dict[int, wire.Said]:
        """Workers that broke a limit, with the reason as the end of a sentence.

        The full look at every process happens only when it can find something: the task count
        grew, or a worker had processes below it at the last look.
        """
        tasks = _tasks()
        now = time.monotonic()
        scan = (tasks - self.tasks_seen >= SCAN_GROWTH or bool(self.with_children)
                or now - self.last_scan >= FULL_SCAN_S)
        self.tasks_seen = min(self.tasks_seen, tasks)
        own_memory = bool(self.memory_limit_kib) and not self.cpu_limited
        if not scan and not own_memory:
            return {}
        table = reaping.process_table() if scan else None
        if scan:
            self.tasks_seen, self.with_children, self.last_scan = tasks, set(), now
        broken: dict[int, wire.Said] = {}
        for pid in workers:
            below = reaping.descendants(pid, table) if table else set()
            if below:
                self.with_children.add(pid)
            if len(below) > self.max_processes:
                broken[pid] = wire.said(N_("its cell started more than {count} processes"),
                                        count=self.max_processes)
                continue
            if self.memory_limit_kib and (below or own_memory):
                used = sum(_anon_kib(p) for p in (pid, *below))
                if used > self.memory_limit_kib:
                    broken[pid] = wire.said(N_("its processes used more than {mib} MiB together"),
                                            mib=self.memory_limit_kib // 1024)
        return broken

    #: Whether RLIMIT_AS already bounds each worker process (CPU workers); set by the zygote.
    cpu_limited = True
