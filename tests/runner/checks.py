"""Checks shared by the runner tests: a namespace still tells results apart; processes are gone."""

from __future__ import annotations

import time

from tutor.runner.client import Runner


async def assert_sane(runner: Runner, ns: str) -> None:
    """`1/0` reports ZeroDivisionError and `x = 1` reports ok, in that namespace and a fresh one."""
    for name in (ns, f"{ns}-fresh"):
        failing = await runner.execute(name, "1/0")
        assert failing["error"] is not None, failing
        assert "ZeroDivisionError" in failing["error"]["message"]
        fine = await runner.execute(name, "x = 1")
        assert fine["ok"], fine["error"]
        assert (await runner.evaluate(name, "x"))["value"] == 1
    await runner.drop(f"{ns}-fresh")


def process_gone(pid: int) -> bool:
    """True when `pid` no longer runs (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):  # gone before, or while, /proc was read
        return True


def wait_gone(pids: list[int], seconds: float = 2.0) -> list[int]:
    """The pids still running after up to `seconds` (an empty list as soon as all are gone)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [pid for pid in pids if not process_gone(pid)]
        if not left:
            return []
        time.sleep(0.02)
    return [pid for pid in pids if not process_gone(pid)]
