"""CUDA behaviour: default device placement, integer matmul error, out-of-memory."""

from __future__ import annotations

import pytest
import torch

from tutor.runner.client import Runner

pytestmark = pytest.mark.gpu

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@needs_cuda
async def test_cuda_runner() -> None:
    runner = Runner("cuda")
    await runner.start()
    try:
        assert runner.device_info["device"] == "cuda:0"
        assert runner.device_info["memory_total_mib"] > 0
        result = await runner.execute("g", "import torch\nx = torch.ones(3)")
        assert result["ok"], result["error"]
        assert result["snapshot"]["tensors"][0]["device"] == "cuda:0"

        code = "a = torch.ones(2, 2, dtype=torch.long)\nb = a @ a"
        matmul = await runner.execute("g", code)
        assert matmul["error"]["kind"] == "exception"
        assert "not implemented" in matmul["error"]["message"]

        oom = await runner.execute("g", "big = torch.empty(2**50, dtype=torch.uint8)")
        assert oom["error"]["kind"] == "out_of_memory"
        after = await runner.execute("g", "y = (x * 2).sum().item()")
        assert after["ok"], after["error"]
        assert (await runner.evaluate("g", "y"))["value"] == 6.0
    finally:
        await runner.close()


@needs_cuda
async def test_code_answers_on_cuda_use_a_replayed_copy() -> None:
    """A code-quiz answer runs in a copy without fork-after-CUDA, on the GPU, same numbers."""
    from tutor.runner.session import CellSession

    runner = Runner("cuda", preload=False)
    await runner.start()
    try:
        cells = ["import torch\nw = torch.randn(4)\ncount = 0",
                 "net = torch.nn.Linear(4, 2)\ny = net(w)"]
        session = CellSession(runner, "reference")
        expected = await session.evaluate_at(cells, 2, "(y * 2).tolist()")
        assert expected["ok"], expected["error"]
        answer = await session.evaluate_at(cells, 2, "(y + y).tolist()", fresh_copy=True)
        assert answer["ok"], answer["error"]
        assert answer["value"] == expected["value"] or answer["repr"] == expected["repr"]
        where = await session.evaluate_at(cells, 2, "(w.device.type, net.weight.device.type)",
                                          fresh_copy=True)
        assert where["repr"] == "('cuda', 'cuda')"
        changed = await runner.evaluate("reference", "globals().update(count=5) or count",
                                        fresh_copy=True)
        assert changed["value"] == 5
        assert (await runner.evaluate("reference", "count"))["value"] == 0
        fork_free = await runner.evaluate("reference", "torch.cuda.is_initialized()")
        assert fork_free["value"] is True  # the worker uses CUDA, so its copy could not fork
    finally:
        await runner.close()


@needs_cuda
async def test_large_cuda_values_arrive_as_summaries() -> None:
    runner = Runner("cuda", preload=False)
    await runner.start()
    try:
        value = await runner.evaluate("g", "__import__('torch').ones(3 * 10**7)")
        assert value["value"]["kind"] == "summary"
        assert value["value"]["device"] == "cuda:0" and value["value"]["mean"] == 1.0
        plotted = await runner.execute("g", "import torch\nplot(torch.linspace(0, 1, 5000))")
        assert plotted["ok"], plotted["error"]
        assert len(plotted["plots"][0]["series"][0]["values"]) == 1000
    finally:
        await runner.close()


@needs_cuda
def test_tutor_check_passes_every_lesson_on_cuda() -> None:
    """Every cell and quiz of the shipped course on the GPU, each code quiz's own answer
    evaluated as a learner's is (a replayed copy of the reference namespace, no fork)."""
    import json
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "tutor", "check", "--json", "--device", "cuda"],
                          capture_output=True, text=True, timeout=900, check=False)
    report = json.loads(proc.stdout)
    failed = {entry["id"]: [item["error"] for item in entry["cells"] + entry["quizzes"]
                            if not item["ok"]] + entry["errors"]
              for entry in report["lessons"] if not entry["ok"]}
    assert proc.returncode == 0 and not failed, (failed, proc.stderr[-2000:])
    assert report["device"].startswith("cuda")
    assert any(quiz["type"] == "code" for entry in report["lessons"]
               for quiz in entry["quizzes"])


@needs_cuda
async def test_a_cpu_worker_that_used_cuda_copies_by_replay() -> None:
    """On --device cpu a cell may still move a tensor to the GPU; the worker then refuses to
    fork a copy (the fork could not use CUDA) and the answer is evaluated in a replay."""
    runner = Runner("cpu", preload=False)
    await runner.start()
    try:
        ran = await runner.execute("c", "import torch\nx = torch.ones(3).cuda()\ncount = 0")
        assert ran["ok"], ran["error"]
        answer = await runner.evaluate("c", "((x * 2).sum().item(), x.device.type)",
                                       fresh_copy=True)
        assert answer["ok"], answer["error"]
        assert answer["repr"] == "(6.0, 'cuda')"
        changed = await runner.evaluate("c", "globals().update(count=5) or count",
                                        fresh_copy=True)
        assert changed["value"] == 5 and (await runner.evaluate("c", "count"))["value"] == 0
    finally:
        await runner.close()
