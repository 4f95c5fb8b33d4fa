"""Memory and CPU of a student's processes, from /proc (Linux; zeros elsewhere)."""

from __future__ import annotations

import os
import time

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def memory_kib(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of a process in KiB; (0, 0) if it is gone or unreadable."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
    except (OSError, ValueError):
        return 0, 0
    return pss, rss


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used, in seconds (0 if gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, ValueError, IndexError):
        return 0.0


class CpuMeter:
    """CPU use of groups of processes between two looks, as a percentage of one core."""

    def __init__(self) -> None:
        self.last: dict[int, tuple[float, float]] = {}

    def percent(self, pids: list[int]) -> float:
        """CPU used by `pids` since the last look at each (0 for a process seen first now)."""
        now = time.monotonic()
        total = 0.0
        for pid in pids:
            used = cpu_seconds(pid)
            before = self.last.get(pid)
            self.last[pid] = (now, used)
            if before is not None and now > before[0]:
                total += (used - before[1]) / (now - before[0])
        return round(100 * total, 1)

    def forget(self, keep: set[int]) -> None:
        """Drop processes no longer watched."""
        self.last = {pid: value for pid, value in self.last.items() if pid in keep}
