"""A zygote shared by several apps (tutor serve): one torch import, workers owned per connection."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from checks import process_gone, wait_gone

from tutor.runner.client import Runner
from tutor.runner.shared import runner_options
from tutor.serve.class_runner import ClassRunner

APP = """
import asyncio, json, sys
from tutor.runner.client import Runner

async def main():
    runner = Runner("cpu", attach=sys.argv[1])
    await runner.start()
    await runner.execute("a", "import subprocess; child = subprocess.Popen(['sleep', '600'])")
    pid = (await runner.evaluate("a", "child.pid"))["value"]
    print(json.dumps([*runner.worker_pids(), pid]), flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


async def test_apps_share_one_zygote_and_own_their_workers(tmp_path: Path) -> None:
    shared = ClassRunner(tmp_path / "runner.sock", device="cpu")
    await shared.start()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    policy = {"student": "ada", "scratch": str(scratch), "deny": [str(tmp_path / "class")]}
    one = Runner("cpu", attach=str(shared.socket_path), sandbox=policy)
    two = Runner("cpu", attach=str(shared.socket_path))
    try:
        await one.start()
        await two.start()
        assert one.zygote_pid == two.zygote_pid == shared.pid
        assert (await one.execute("n", "x = 6 * 7"))["ok"]
        assert (await two.execute("n", "x = 1"))["ok"]
        assert (await one.evaluate("n", "x"))["value"] == 42
        assert (await two.evaluate("n", "x"))["value"] == 1
        listed = await shared.clients()
        served = sorted(pid for pids in listed.values() for pid in pids)
        assert served == sorted(one.worker_pids() + two.worker_pids())
        # One app cannot end another's worker through the zygote.
        theirs = two.worker_pids()[0]
        assert one._zygote is not None
        one._zygote.send({"cmd": "end", "pid": theirs})
        await asyncio.sleep(0.3)
        assert not process_gone(theirs)
        mine = one.worker_pids()
        await one.close()
        assert wait_gone(mine) == []
        assert (await two.execute("n", "y = x + 1"))["ok"]
        assert not process_gone(shared.pid or 0)
    finally:
        await one.close()
        await two.close()
        await shared.close()


async def test_a_killed_app_takes_its_workers_trees_along(tmp_path: Path) -> None:
    shared = ClassRunner(tmp_path / "runner.sock", device="cpu")
    await shared.start()
    app = subprocess.Popen([sys.executable, "-c", APP, str(shared.socket_path)],
                           stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout is not None
        line = await asyncio.to_thread(app.stdout.readline)
        pids = json.loads(line)
        assert len(pids) == 2 and not any(process_gone(pid) for pid in pids)
        app.kill()
        app.wait()
        assert await asyncio.to_thread(wait_gone, pids) == []
        assert not process_gone(shared.pid or 0)
    finally:
        app.kill()
        app.wait()
        await shared.close()


def test_a_local_tutor_starts_its_own_runner() -> None:
    assert runner_options({}) == {}
    served = runner_options({"TUTOR_RUNNER_SOCKET": "/c/run/runner.sock",
                             "TUTOR_SANDBOX": '{"student": "ada", "scratch": "/s", "deny": []}'})
    assert served == {"attach": "/c/run/runner.sock",
                      "sandbox": {"student": "ada", "scratch": "/s", "deny": []}}
