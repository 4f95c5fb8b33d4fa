"""Executing cells: output, snapshots, the autograd graph, evaluation and fresh copies."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

from tutor.runner.client import Runner

AUTOGRAD_EXAMPLE = """
import torch
import torch.nn.functional as F

x = torch.tensor([1.1])
y = torch.tensor([1.0])
w = torch.tensor([2.2], requires_grad=True)
b = torch.tensor([0.0], requires_grad=True)
z = x * w + b
a = torch.sigmoid(z)
loss = F.binary_cross_entropy(a, y)
loss.backward()
"""


def _entries(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in result["snapshot"]["tensors"]}


def _graph_names(node: dict[str, Any]) -> set[str]:
    names = {node["name"]} if node["name"] else set()
    for child in node["children"]:
        names |= _graph_names(child)
    return names


def _preview_number(preview: str) -> float:
    return float(re.findall(r"-?\d+\.\d+", preview)[0])


async def test_output_and_final_expression(runner: Runner, ns: str) -> None:
    result = await runner.execute(ns, "print('hello')\n1 + 1")
    assert result["ok"], result["error"]
    assert result["output"] == "hello\n2\n"
    assert result["error"] is None
    assert result["truncated"] is False


async def test_autograd_example_snapshot(runner: Runner, ns: str) -> None:
    result = await runner.execute(ns, AUTOGRAD_EXAMPLE)
    assert result["ok"], result["error"]
    entries = _entries(result)
    a = 1 / (1 + math.exp(-(1.1 * 2.2 + 0.0)))
    expected = {"w": (a - 1.0) * 1.1, "b": a - 1.0}
    for name, grad in expected.items():
        entry = entries[name]
        assert entry["is_leaf"] and entry["requires_grad"]
        assert entry["grad"]["shape"] == [1]
        assert round(_preview_number(entry["grad"]["preview"]), 4) == round(grad, 4)
        value = await runner.evaluate(ns, f"{name}.grad.item()")
        assert math.isclose(value["value"], grad, rel_tol=1e-6)
    assert entries["loss"]["grad_fn"] == "BinaryCrossEntropyBackward0"
    assert entries["loss"]["is_leaf"] is False
    assert entries["x"]["dtype"] == "torch.float32" and entries["x"]["device"] == "cpu"
    graph = result["snapshot"]["graph"]
    assert graph["name"] == "loss" and graph["op"] == "BinaryCrossEntropyBackward0"
    assert {"w", "b", "a"} <= _graph_names(graph)


async def test_graph_is_capped(runner: Runner, ns: str) -> None:
    """The Graph pane's tree (the run's snapshot) stops at build_graph's depth and says how many
    inputs it left out."""
    import inspect

    from tutor.runner.snapshot import build_graph

    max_depth = inspect.signature(build_graph).parameters["max_depth"].default
    code = (
        "import torch\nt = torch.ones(2, requires_grad=True)\n"
        f"for _ in range({max_depth * 6}):\n    t = t * 1.5\n"
    )
    result = await runner.execute(ns, code + "s = t.sum()")
    graph = result["snapshot"]["graph"]
    assert graph is not None and graph["name"] == "s"
    depth, node = 1, graph
    while node["children"]:
        node, depth = node["children"][0], depth + 1
    assert depth == max_depth
    assert node["more"] == 1


async def test_module_parameters(runner: Runner, ns: str) -> None:
    code = """
import torch
from torch import nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 5)
        self.fc2 = nn.Linear(5, 1)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))

net = Net()
loss = net(torch.ones(3, 10)).sum()
loss.backward()
"""
    result = await runner.execute(ns, code)
    assert result["ok"], result["error"]
    entries = _entries(result)
    weight = entries["net.fc1.weight"]
    assert weight["shape"] == [5, 10] and weight["requires_grad"]
    assert weight["grad"]["shape"] == [5, 10]
    assert "net.fc2.bias" in entries
    assert "net.fc1.weight" in _graph_names(result["snapshot"]["graph"])


async def test_output_streams_while_the_cell_runs(runner: Runner, ns: str, tmp_path: Path) -> None:
    # The cell waits for a file that only the output callback creates: it can finish only if
    # "first" reached the client while the cell was still running.
    flag = tmp_path / "seen"
    code = (
        "import os, time\nprint('first')\n"
        f"while not os.path.exists({str(flag)!r}):\n    time.sleep(0.01)\nprint('second')"
    )

    def on_output(chunk: str) -> None:
        if "first" in chunk:
            flag.touch()

    result = await runner.execute(ns, code, on_output=on_output, timeout=5)
    assert result["ok"], result["error"]
    assert result["output"] == "first\nsecond\n"


async def test_huge_output_is_truncated(ns: str, runner: Runner) -> None:
    streamed: list[str] = []
    result = await runner.execute(ns, "print('x' * (3 * 200_000))", on_output=streamed.append)
    assert result["ok"]
    assert result["truncated"] is True
    assert "output truncated" in result["output"]
    assert len(result["output"]) < runner.output_limit + 200
    assert "".join(streamed) == result["output"]  # a streaming pane sees the note too


async def test_c_level_and_raw_fd_writes_are_captured(runner: Runner, ns: str) -> None:
    code = (
        "import ctypes, os\nos.write(1, b'raw one\\n')\nos.write(2, b'raw two\\n')\n"
        "ctypes.CDLL(None).printf(b'from C\\n')"
    )
    result = await runner.execute(ns, code + "\nNone")
    assert result["ok"], result["error"]
    for text in ("raw one", "raw two", "from C"):
        assert text in result["output"]


async def test_closing_stdout_does_not_break_later_cells(runner: Runner, ns: str) -> None:
    first = await runner.execute(ns, "import os, sys\nsys.stdout.close()\nos.close(1)\nos.close(2)")
    assert first["ok"], first["error"]
    again = await runner.execute(ns, "print('back')\nos.write(1, b'fd back\\n')\nNone")
    assert again["ok"], again["error"]
    assert "back\n" in again["output"] and "fd back" in again["output"]


async def test_evaluate_encodings(runner: Runner, ns: str) -> None:
    await runner.execute(ns, "import torch, numpy as np\nt = torch.tensor([[1, 2], [3, 4]])")
    cases = {
        "t.shape": [2, 2],
        "t.dtype": "torch.int64",
        "t.sum().item()": 10,
        "t.float().mean().item() > 2": True,
        "'text'": "text",
        "(1, 2)": [1, 2],
        "t": {
            "kind": "tensor", "values": [[1, 2], [3, 4]], "dtype": "torch.int64", "shape": [2, 2],
        },
        "np.float32(0.5)": 0.5,
        "{'a': 1}": {"kind": "repr", "repr": "{'a': 1}"},
    }
    for expression, expected in cases.items():
        result = await runner.evaluate(ns, expression)
        assert result["ok"], (expression, result["error"])
        assert result["value"] == expected, expression
    nan = await runner.evaluate(ns, "float('nan')")
    assert math.isnan(nan["value"])
    bad = await runner.evaluate(ns, "t.missing")
    assert not bad["ok"] and bad["error"]["kind"] == "exception"
    assert "AttributeError" in bad["error"]["message"]


async def test_fresh_copy_cannot_change_the_namespace(runner: Runner, ns: str) -> None:
    await runner.execute(ns, "import torch\nx = torch.zeros(2)\ncount = 0")
    mutate = "(x.add_(5), globals().update(count=9))[0]"
    changed = await runner.evaluate(ns, mutate, fresh_copy=True)
    assert changed["ok"], changed["error"]
    assert changed["value"]["values"] == [5.0, 5.0]
    unchanged = await runner.evaluate(ns, "(x.tolist(), count)")
    assert unchanged["value"] == {"kind": "repr", "repr": "([0.0, 0.0], 0)"}
    crashed = await runner.evaluate(ns, "__import__('os')._exit(3)", fresh_copy=True)
    assert crashed["error"]["kind"] == "crash"
    assert (await runner.evaluate(ns, "count"))["value"] == 0


async def test_reset_gives_an_empty_namespace(runner: Runner, ns: str) -> None:
    await runner.execute(ns, "kept = 1")
    before = runner.worker_pids()
    await runner.reset(ns)
    assert set(runner.worker_pids()) != set(before)
    result = await runner.evaluate(ns, "'kept' in globals()")
    assert result["value"] is False


async def test_workers_get_different_random_streams(runner: Runner) -> None:
    first = await runner.evaluate("rng-a", "__import__('torch').rand(4).tolist()")
    second = await runner.evaluate("rng-b", "__import__('torch').rand(4).tolist()")
    assert first["value"] != second["value"]
    numpy_draw = "__import__('numpy.random').random.rand(4).tolist()"
    for stdlib_draw in ("__import__('random').random()", numpy_draw):
        first = await runner.evaluate("rng-a", stdlib_draw)
        second = await runner.evaluate("rng-b", stdlib_draw)
        assert first["value"] != second["value"]


async def test_device_info(runner: Runner) -> None:
    import torch

    assert runner.device_info == {
        "device": "cpu", "name": "cpu", "memory_total_mib": None, "torch": torch.__version__,
    }
    assert os.getpid() not in runner.worker_pids()


async def test_optimizers_start_from_the_preloaded_zygote(runner: Runner, ns: str) -> None:
    preloaded = await runner.evaluate(ns, "'torch._dynamo' in __import__('sys').modules")
    assert preloaded["value"] is True
    code = (
        "import torch\nnet = torch.nn.Linear(256, 256)\n"
        "opt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
        "net(torch.ones(512, 256)).sum().backward()\nopt.step()\n"
        "big = (torch.ones(512, 512) @ torch.ones(512, 512)).sum().item()"
    )
    result = await runner.execute(ns, code)
    assert result["ok"], result["error"]
    assert (await runner.evaluate(ns, "big"))["value"] == 512.0 * 512 * 512


async def test_fresh_copy_by_replay_draws_the_same_numbers() -> None:
    """The copy GPUs use (a fresh worker replaying the cells, same seed), tried on the CPU."""
    runner = Runner("cpu", preload=False, fresh_copy="replay")
    await runner.start()
    try:
        await runner.execute("r", "import torch\nw = torch.randn(3)\ncount = 0")
        await runner.execute("r", "count += 1\nfailed = 1 / 0")
        expected = (await runner.evaluate("r", "(w.tolist(), count)"))["repr"]
        copy = await runner.evaluate("r", "(w.tolist(), count)", fresh_copy=True)
        assert copy["ok"], copy["error"]
        assert copy["repr"] == expected
        changed = await runner.evaluate("r", "globals().update(count=9) or count", fresh_copy=True)
        assert changed["value"] == 9
        assert (await runner.evaluate("r", "count"))["value"] == 1
        pids = runner.worker_pids()
        assert len(pids) == 1  # the copy's worker is gone
        crashed = await runner.evaluate("r", "__import__('os')._exit(3)", fresh_copy=True)
        assert crashed["error"]["kind"] == "crash"
        assert (await runner.evaluate("r", "count"))["value"] == 1
    finally:
        await runner.close()
