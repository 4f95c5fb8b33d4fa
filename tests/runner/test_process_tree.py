"""A cell can end its worker, never the session; nothing it starts outlives the runner.

Issue 10, items 3 to 5: process groups, the zygote shielded and restarted (dead or stopped), the
subreaper ending whole trees, and the per-worker process and memory limits.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from checks import assert_sane, process_gone, wait_gone

from tutor.runner import zygote_link
from tutor.runner.client import MAX_RESTARTS, Runner
from tutor.runner.state import RunnerState

#: A cell starting three kinds of escapee and writing their pids to PIDS (a path).
ESCAPEES = """
import os, subprocess, time
popen = subprocess.Popen(["sleep", "1000"], start_new_session=True)
r, w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.write(w, f"{os.getpid()}\\n".encode())
        time.sleep(1000)
    os._exit(0)
os.close(w)
with os.fdopen(r) as pipe:
    daemon = int(pipe.readline())
children = []
for _ in range(20):
    pid = os.fork()
    if pid == 0:
        time.sleep(1000)
    children.append(pid)
with open(PIDS, "w") as out:
    out.write(" ".join(map(str, [popen.pid, daemon, *children])))
"""

OWNER = """
import asyncio, json, sys
from tutor.runner.client import Runner

async def main():
    runner = Runner("cpu", preload=False)
    await runner.start()
    result = await runner.execute("a", "PIDS = " + repr(sys.argv[1]) + "\\n" + sys.argv[2])
    assert result["ok"], result["error"]
    print(json.dumps([runner.zygote_pid, *runner.worker_pids()]), flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def _pids(path: Path) -> list[int]:
    return [int(p) for p in path.read_text().split()]


async def _restarted(runner: Runner, first: int | None) -> None:
    """Wait (up to a minute) until `runner` runs a new zygote and is ready."""
    async def restarted() -> None:
        while runner.zygote_pid == first or runner.state != RunnerState.READY:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(restarted(), 60)


@pytest_asyncio.fixture(loop_scope="session")
async def own_runner() -> AsyncIterator[Runner]:
    """A runner of its own, for attacks on the zygote that would reset the shared one."""
    runner = Runner("cpu", preload=False)
    await runner.start()
    yield runner
    await runner.close()


@pytest.mark.parametrize(
    "code",
    ["os.kill(os.getppid(), signal.SIGTERM)", "os.kill(os.getppid(), signal.SIGHUP)",
     "os.kill(0, signal.SIGTERM)", "os.killpg(os.getpgrp(), signal.SIGKILL)",
     # Signals whose default also ends a process, which the zygote once left at their default.
     *(f"os.kill(os.getppid(), signal.{name})"
       for name in ("SIGSEGV", "SIGIO", "SIGTRAP", "SIGRTMIN", "SIGRTMAX", "SIGPWR"))],
)
async def test_signals_reach_at_most_the_worker(runner: Runner, ns: str, code: str) -> None:
    await runner.execute("bystander", "kept = 5")
    zygote = runner.zygote_pid
    await runner.execute(ns, "import os, signal\n" + code)
    assert runner.zygote_pid == zygote and runner.state == RunnerState.READY
    assert (await runner.evaluate("bystander", "kept"))["value"] == 5
    await assert_sane(runner, ns)


async def test_killed_zygote_is_restarted(own_runner: Runner) -> None:
    reasons: list[str | None] = []
    own_runner.on_state = lambda state, reason: reasons.append(reason)
    first = own_runner.zygote_pid
    await own_runner.execute("a", "import os, signal\nos.kill(os.getppid(), 9)")
    await _restarted(own_runner, first)  # noticed and restarted, unasked
    assert own_runner.zygote_pid != first and own_runner.state == RunnerState.READY
    assert [r for r in reasons if r and "restarted" in r] == [
        "The runner process stopped, so it was restarted; every namespace was reset."]
    await assert_sane(own_runner, "a")


async def test_escapees_end_when_a_cell_kills_the_zygote(own_runner: Runner,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "pids"
    result = await own_runner.execute("a", f"PIDS = {str(path)!r}\n{ESCAPEES}")
    assert result["ok"], result["error"]
    first = own_runner.zygote_pid
    await own_runner.execute("a", "os.kill(os.getppid(), 9)")
    await _restarted(own_runner, first)
    assert wait_gone(_pids(path)) == []
    await assert_sane(own_runner, "a")


async def test_stopped_zygote_is_replaced(own_runner: Runner,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zygote_link, "ZYGOTE_DEADLINE_S", 0.5)
    first = own_runner.zygote_pid
    stop = await own_runner.execute("a", "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)")
    assert stop["error"]["kind"] == "crash"  # the cell is blamed, not the next one
    assert "runner process was stopped" in stop["error"]["message"]
    await assert_sane(own_runner, "fresh")  # needs a new worker: the zygote must answer
    assert own_runner.zygote_pid != first
    assert first is not None and wait_gone([first]) == []


async def test_a_cell_may_kill_the_zygote_again_and_again(own_runner: Runner) -> None:
    """More often than a zygote dying on its own may be restarted: each time the cell that did
    it gets the crash, the runner stays up, and the namespace starts afresh."""
    for _ in range(MAX_RESTARTS + 2):
        first = own_runner.zygote_pid
        await own_runner.execute("a", "kept = 1")
        killed = await own_runner.execute("a", "import os\nos.kill(os.getppid(), 9)")
        assert killed["error"]["kind"] == "crash", killed
        assert "runner process was killed" in killed["error"]["message"]
        await _restarted(own_runner, first)
        assert (await own_runner.evaluate("a", "'kept' in globals()"))["value"] is False
    await assert_sane(own_runner, "a")


async def test_a_namespace_idle_while_the_zygote_died_says_so_once(own_runner: Runner) -> None:
    """Its next request reports the reset instead of running in a fresh namespace as if its
    earlier cells had run; the one after runs (in the fresh namespace)."""
    await own_runner.execute("idle", "x = 1")
    first = own_runner.zygote_pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    await _restarted(own_runner, first)
    told = await own_runner.execute("idle", "y = x + 1")
    assert told["error"]["kind"] == "crash" and "was lost" in told["error"]["message"]
    assert (await own_runner.evaluate("idle", "'x' in globals()"))["value"] is False
    assert (await own_runner.execute("idle", "x = 2"))["ok"]


async def test_a_zygote_that_dies_by_itself_is_restarted_a_few_times_only() -> None:
    """One that started no worker before it died is broken, not attacked: after MAX_RESTARTS
    within the window the runner gives up (state DEAD) instead of restarting it for ever."""
    runner = Runner("cpu", preload=False)
    await runner.start()
    try:
        for _ in range(MAX_RESTARTS):
            first = runner.zygote_pid
            assert first is not None
            os.kill(first, signal.SIGKILL)
            await _restarted(runner, first)
        last = runner.zygote_pid
        assert last is not None
        os.kill(last, signal.SIGKILL)
        while runner.state != RunnerState.DEAD:
            await asyncio.sleep(0.01)
        assert runner.reason is not None and "too often" in runner.reason
    finally:
        await runner.close()


async def test_escapees_end_with_close(tmp_path: Path) -> None:
    runner = Runner("cpu", preload=False)
    await runner.start()
    path = tmp_path / "pids"
    result = await runner.execute("a", f"PIDS = {str(path)!r}\n{ESCAPEES}")
    assert result["ok"], result["error"]
    pids = _pids(path)
    assert len(pids) == 22 and not any(process_gone(p) for p in pids)
    await runner.close()
    assert wait_gone(pids) == []


async def test_a_dropped_worker_takes_its_tree(runner: Runner, ns: str, tmp_path: Path) -> None:
    path = tmp_path / "pids"
    result = await runner.execute(ns, f"PIDS = {str(path)!r}\n{ESCAPEES}")
    assert result["ok"], result["error"]
    await runner.drop(ns)
    assert wait_gone(_pids(path)) == []


async def test_too_many_processes_end_the_tree(runner: Runner, ns: str, tmp_path: Path) -> None:
    limit = runner.process_limit
    assert limit is not None and limit < 100  # the shared runner's is low, to keep this quick
    path = tmp_path / "pids"
    code = (f"import os, time\nout = open({str(path)!r}, 'w', buffering=1)\n"
            f"for _ in range({limit + 5}):\n    pid = os.fork()\n    if pid == 0:\n"
            "        time.sleep(1000)\n    out.write(f'{pid}\\n')\ntime.sleep(30)")
    result = await runner.execute(ns, code, timeout=60)
    assert result["error"]["kind"] == "crash"
    assert f"more than {limit} processes" in result["error"]["message"]
    assert wait_gone(_pids(path), 5.0) == []  # dozens of exits, on a busy machine
    await assert_sane(runner, ns)


async def test_memory_counts_the_whole_tree(ns: str) -> None:
    runner = Runner("cpu", preload=False, memory_limit_mib=600)
    await runner.start()
    try:
        code = ("import os, time\nfor _ in range(3):\n    if os.fork() == 0:\n"
                "        block = bytearray(300 << 20)\n        time.sleep(60)\ntime.sleep(30)")
        result = await runner.execute(ns, code, timeout=60)
        assert result["error"]["kind"] == "crash"
        assert "MiB together" in result["error"]["message"]
        await assert_sane(runner, ns)
    finally:
        await runner.close()


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_escapees_end_when_the_owner_dies(tmp_path: Path, signum: int) -> None:
    path = tmp_path / "pids"
    owner = subprocess.Popen([sys.executable, "-c", OWNER, str(path), ESCAPEES],
                             stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    try:
        assert owner.stdout is not None
        runner_pids = json.loads(owner.stdout.readline())
        pids = _pids(path)
        owner.send_signal(signum)
        owner.wait(5)
        assert wait_gone(pids + runner_pids) == []
    finally:
        owner.kill()
        owner.wait()


async def test_requests_during_a_restart_get_results_not_exceptions(own_runner: Runner) -> None:
    """What `tutor check` relies on: a lost zygote gives crash results, then ok, never a raise."""
    await own_runner.execute("a", "x = 1")
    first = own_runner.zygote_pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    results = [await own_runner.execute(ns, "y = 2") for ns in ("a", "b", "a")]
    assert all(r["ok"] or r["error"]["kind"] == "crash" for r in results), results
    await own_runner.reset("c")
    assert (await own_runner.execute("c", "z = 3"))["ok"]
    assert own_runner.zygote_pid != first


async def test_a_zygote_killed_while_a_cell_runs_is_told_by_that_cell(own_runner: Runner
                                                                       ) -> None:
    """The running cell's worker answers before it exits: that cell gets the crash, once, and
    the namespace's next cell runs (afresh) instead of being told again."""
    await own_runner.execute("busy", "x = 1")
    first = own_runner.zygote_pid
    assert first is not None
    running = asyncio.ensure_future(own_runner.execute("busy", "import time\ntime.sleep(30)"))
    while own_runner.state != RunnerState.BUSY:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # the cell is running (not a timing assertion: either way it runs)
    os.kill(first, signal.SIGKILL)
    result = await asyncio.wait_for(running, 20)
    assert result["error"]["kind"] == "crash", result
    assert "runner process was killed" in result["error"]["message"]
    await _restarted(own_runner, first)
    after = await own_runner.execute("busy", "y = 'x' in globals()")
    assert after["ok"], after["error"]
    assert (await own_runner.evaluate("busy", "y"))["value"] is False


async def test_what_a_cell_writes_to_the_zygote_stderr_is_escaped(own_runner: Runner) -> None:
    """The zygote's last stderr line is quoted when it is lost; a cell can write that line."""
    reasons: list[str] = []
    own_runner.on_state = lambda state, reason: reasons.append(reason or "")
    first = own_runner.zygote_pid
    code = ("import os\nwith open(f'/proc/{os.getppid()}/fd/2', 'w') as err:\n"
            "    err.write('\\x1b]0;PWNED\\x07 boom\\n')\nos.kill(os.getppid(), 9)")
    await own_runner.execute("a", code)
    await _restarted(own_runner, first)
    quoted = [reason for reason in reasons if "PWNED" in reason]
    assert quoted and not any("\x1b" in reason or "\x07" in reason for reason in reasons)
    assert "\\x1b]0;PWNED\\x07 boom" in quoted[0]
