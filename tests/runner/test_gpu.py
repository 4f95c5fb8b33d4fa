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
