"""Measurements of the runner against its budgets, shared by `tutor doctor` and bench/."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from tutor.runner.client import Runner

#: The small cell of the round-trip budget (docs/architecture.md and BENCHMARKS.md, "Budgets").
SMALL_CELL = "x = torch.ones(3, requires_grad=True); y = (x * 2).sum()"
#: Evaluated in a worker (CUDA may only be initialised there): devices torch can see.
CUDA_COUNT = (
    "(lambda t: t.cuda.device_count() if t.cuda.is_available() else 0)(__import__('torch'))"
)
MPS_AVAILABLE = (
    "(lambda t: bool(getattr(t.backends, 'mps', None) and t.backends.mps.is_available()))"
    "(__import__('torch'))"
)


def pss_mib(pids: list[int], field: str = "Pss") -> float | None:
    """Summed proportional set size of `pids` (Linux smaps_rollup); None where unavailable.

    `field` may name a part instead: "Pss_Anon" (the part other sessions cannot share) or
    "Pss_File" (library pages, shared with any other process that maps torch).
    """
    total_kib = 0
    try:
        for pid in pids:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                lines = (line for line in rollup if line.startswith(f"{field}:"))
                total_kib += int(next(lines).split()[1])
    except (OSError, StopIteration, ValueError):
        return None
    return total_kib / 1024


def rss_mib(pid: int | None = None) -> float | None:
    """Resident set size of `pid` (default: this process); None where /proc is missing."""
    try:
        with open(f"/proc/{pid or os.getpid()}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration, ValueError):
        return None


async def roundtrip_ms(runner: Runner, namespace: str, repeats: int = 200) -> list[float]:
    """Client-side times (ms) of executing SMALL_CELL, snapshot included, after a warm-up."""
    await runner.execute(namespace, "import torch")
    for _ in range(10):
        await runner.execute(namespace, SMALL_CELL)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = await runner.execute(namespace, SMALL_CELL)
        times.append((time.perf_counter() - started) * 1000)
        if result["error"] is not None:
            raise RuntimeError(result["error"]["message"])
    return times


async def fresh_namespace_ms(runner: Runner, namespace: str, repeats: int = 10) -> list[float]:
    """Times (ms) of reset plus the first small cell in the new namespace."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await runner.reset(namespace)
        await runner.execute(namespace, "import torch\n" + SMALL_CELL)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def measure(device: str = "auto", *, repeats: int = 200) -> dict[str, Any]:
    """Start a runner and measure it: ready time, round trip, fresh namespace, memory."""
    started = time.perf_counter()
    runner = Runner(device)
    await runner.start()
    ready_s = time.perf_counter() - started
    try:
        cuda = await runner.evaluate("doctor", CUDA_COUNT)
        mps = await runner.evaluate("doctor", MPS_AVAILABLE)
        round_trips = await roundtrip_ms(runner, "doctor", repeats)
        # One learner's session: the zygote, the learner's namespace and the reference one
        # (measured before any other worker exists, since PSS splits shared pages among them).
        await runner.execute("reference", "import torch\n" + SMALL_CELL)
        session_pss = pss_mib([runner.zygote_pid or 0, *runner.worker_pids()])
        fresh = await fresh_namespace_ms(runner, "fresh")
        return {
            "device_info": runner.device_info,
            "devices": {"cuda": cuda["value"], "mps": mps["value"]},
            "runner_ready_s": ready_s,
            "roundtrip_ms_median": statistics.median(round_trips),
            "roundtrip_ms_p90": sorted(round_trips)[int(len(round_trips) * 0.9)],
            "fresh_namespace_ms": statistics.median(fresh),
            "session_pss_mib": session_pss,
        }
    finally:
        await runner.close()
