"""Start, devices, spawn mode, and cleanup: no runner process outlives its owner."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest
from checks import process_gone, wait_gone

from tutor.runner.client import Runner, RunnerError, RunnerState

OWNER = """
import asyncio, json, sys
from tutor.runner.client import Runner

async def main():
    runner = Runner("cpu", preload=False)
    await runner.start()
    await runner.execute("a", "x = 1")
    await runner.execute("b", "y = 2")
    print(json.dumps([runner.zygote_pid, *runner.worker_pids()]), flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGKILL], ids=["SIGHUP", "SIGKILL"])
def test_no_orphans_when_the_owner_dies(signum: int) -> None:
    owner = subprocess.Popen([sys.executable, "-c", OWNER], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        pids = json.loads(owner.stdout.readline())
        assert len(pids) == 3 and not any(process_gone(pid) for pid in pids)
        owner.send_signal(signum)
        owner.wait(5)
        assert wait_gone(pids) == []
    finally:
        owner.kill()
        owner.wait()


async def test_close_leaves_no_process() -> None:
    states: list[RunnerState] = []
    runner = Runner("cpu", on_state=lambda state, _: states.append(state), preload=False)
    await runner.start()
    await runner.execute("one", "x = 1")
    pids = [runner.zygote_pid, *runner.worker_pids()]
    await runner.close()
    assert wait_gone([pid for pid in pids if pid is not None]) == []
    assert states[0] == RunnerState.STARTING and RunnerState.READY in states
    assert runner.state == RunnerState.DEAD
    with pytest.raises(RunnerError):
        await runner.execute("one", "x = 2")


async def test_unavailable_device_is_a_clear_error() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    runner = Runner("cuda", preload=False)
    with pytest.raises(RunnerError, match="CUDA is not available"):
        await runner.start()
    assert runner.state == RunnerState.DEAD
    assert runner.reason is not None and "CUDA is not available" in runner.reason


async def test_spawned_workers_behave_like_forked_ones() -> None:
    runner = Runner("cpu", spawn_workers=True)
    await runner.start()
    try:
        code = "import torch\nt = torch.ones(2) * 3\nprint(t.sum().item())"
        result = await runner.execute("s", code)
        assert result["ok"], result["error"]
        assert result["output"] == "6.0\n"
        crash = await runner.execute("s", "import os\nos._exit(4)")
        assert crash["error"]["kind"] == "crash" and "status 4" in crash["error"]["message"]
        assert (await runner.evaluate("s", "1 + 1"))["value"] == 2
        assert os.getpid() not in runner.worker_pids()
    finally:
        await runner.close()


async def _pid(runner: Runner, ns: str) -> int:
    pid: int = (await runner.evaluate(ns, "__import__('os').getpid()"))["value"]
    return pid


async def test_drop_ends_the_worker_and_forgets_the_namespace(runner: Runner, ns: str) -> None:
    await runner.execute(ns, "x = 1")
    pid = await _pid(runner, ns)
    await runner.drop(ns)
    assert wait_gone([pid], 1.0) == []
    assert pid not in runner.worker_pids()
    assert (await runner.evaluate(ns, "'x' in globals()"))["value"] is False
    assert await _pid(runner, ns) != pid
    await runner.drop("never-used")


async def test_drop_stops_a_running_cell_without_replacing_it(runner: Runner, ns: str) -> None:
    pid = await _pid(runner, ns)
    running = asyncio.ensure_future(runner.execute(ns, "import time\ntime.sleep(30)"))
    while runner.state != RunnerState.BUSY:
        await asyncio.sleep(0.01)
    generation = runner.generation(ns)
    await runner.drop(ns)
    result = await running
    assert not result["ok"] and "closed" in result["error"]["message"]
    assert wait_gone([pid], 1.0) == []
    assert runner.generation(ns) == generation and pid not in runner.worker_pids()
