"""CellSession: cells before k ran exactly once, as they stand now; re-runs do not accumulate."""

from __future__ import annotations

from tutor.runner.client import Runner
from tutor.runner.session import CellSession

CELLS = [
    "import torch\nw = torch.tensor(2.0, requires_grad=True)\nlog = []",
    "loss = w * 3\nloss.backward()\nlog.append('cell 2')",
    "grad = w.grad.item()",
]


async def test_rerun_does_not_accumulate_gradients(runner: Runner, ns: str) -> None:
    session = CellSession(runner, ns)
    for _ in range(3):
        result = await session.run_cell(CELLS, 1)
        assert result["ok"] and result["cell"] == 1
    value = await session.evaluate_at(CELLS, 2, "(w.grad.item(), len(log))")
    assert value["repr"] == "(3.0, 1)"


async def test_running_a_later_cell_runs_the_earlier_ones_once(runner: Runner, ns: str) -> None:
    session = CellSession(runner, ns)
    result = await session.run_cell(CELLS, 2)
    assert result["ok"], result["error"]
    assert (await runner.evaluate(ns, "(grad, len(log))"))["repr"] == "(3.0, 1)"


async def test_edited_earlier_cell_is_rerun(runner: Runner, ns: str) -> None:
    session = CellSession(runner, ns)
    await session.run_cell(CELLS, 2)
    edited = [CELLS[0].replace("2.0", "5.0"), CELLS[1].replace("w * 3", "w * w"), CELLS[2]]
    result = await session.run_cell(edited, 2)
    assert result["ok"], result["error"]
    assert (await runner.evaluate(ns, "grad"))["value"] == 10.0


async def test_evaluate_at_an_earlier_point(runner: Runner, ns: str) -> None:
    session = CellSession(runner, ns)
    await session.run_cell(CELLS, 2)
    value = await session.evaluate_at(CELLS, 1, "w.grad is None and 'loss' not in globals()")
    assert value["value"] is True


async def test_failing_prerequisite_is_reported(runner: Runner, ns: str) -> None:
    session = CellSession(runner, ns)
    broken = ["x = 1", "y = 1 / 0", "z = 3"]
    result = await session.run_cell(broken, 2)
    assert not result["ok"] and result["cell"] == 1
    assert result["error"]["message"].startswith("Cell 2 failed first:")
    value = await session.evaluate_at(broken, 2, "z")
    assert not value["ok"] and value["cell"] == 1


async def test_lost_worker_is_rebuilt(runner: Runner, ns: str) -> None:
    session = CellSession(runner, ns)
    cells = ["counter = 10", "import os\nos._exit(1)", "counter += 1"]
    crashed = await session.run_cell(cells, 1)
    assert crashed["error"]["kind"] == "crash"
    fixed = [cells[0], "pass", cells[2]]
    result = await session.run_cell(fixed, 2)
    assert result["ok"], result["error"]
    assert (await runner.evaluate(ns, "counter"))["value"] == 11


async def test_close_ends_the_worker_and_a_later_run_starts_afresh(
    runner: Runner, ns: str
) -> None:
    session = CellSession(runner, ns)
    await session.run_cell(CELLS, 2)
    pid = (await runner.evaluate(ns, "__import__('os').getpid()"))["value"]
    await session.close()
    assert pid not in runner.worker_pids()
    result = await session.run_cell(CELLS, 2)
    assert result["ok"], result["error"]
    assert (await runner.evaluate(ns, "(grad, len(log))"))["repr"] == "(3.0, 1)"


async def test_evaluate_at_applies_the_timeout(runner: Runner, ns: str) -> None:
    session = CellSession(runner, ns)
    cells = ["import time", "x = 1"]
    slow = await session.evaluate_at(cells, 1, "time.sleep(30)", timeout=0.3)
    assert slow["error"]["kind"] == "timeout"
    assert slow["error"]["message"].startswith("The expression ran longer than 0.3 s")
    slow_cell = ["import time\ntime.sleep(30)", "x = 1"]
    replayed = await session.evaluate_at(slow_cell, 1, "1", timeout=0.3)
    assert replayed["error"]["kind"] == "timeout" and replayed["cell"] == 0
    assert "The cell ran longer than 0.3 s" in replayed["error"]["message"]
