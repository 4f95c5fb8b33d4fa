"""Warm round trip of a small cell and fresh namespace / restart, vs a Jupyter kernel."""

from __future__ import annotations

import asyncio
import time

from common import jupyter_execute, jupyter_kernel, machine, median_ms, table

from tutor.runner.client import Runner
from tutor.runner.measure import SMALL_CELL, fresh_namespace_ms, roundtrip_ms

ROUNDS = 300
RESTARTS = 5


async def ours() -> tuple[list[float], list[float], list[float]]:
    runner = Runner("cpu")
    await runner.start()
    try:
        warm = [t / 1000 for t in await roundtrip_ms(runner, "bench", ROUNDS)]
        fresh = [t / 1000 for t in await fresh_namespace_ms(runner, "fresh", 20)]
        crash = []
        for _ in range(RESTARTS):
            started = time.perf_counter()
            await runner.execute("crash", "import os\nos._exit(1)")
            await runner.execute("crash", "import torch\n" + SMALL_CELL)
            crash.append(time.perf_counter() - started)
        return warm, fresh, crash
    finally:
        await runner.close()


def jupyter() -> tuple[list[float], list[float]]:
    with jupyter_kernel() as (manager, client):
        jupyter_execute(client, "import torch")
        for _ in range(10):
            jupyter_execute(client, SMALL_CELL)
        warm = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            jupyter_execute(client, SMALL_CELL)
            warm.append(time.perf_counter() - started)
        restarts = []
        for _ in range(RESTARTS):
            started = time.perf_counter()
            manager.restart_kernel(now=True)
            client.wait_for_ready(timeout=60)
            jupyter_execute(client, "import torch\n" + SMALL_CELL)
            restarts.append(time.perf_counter() - started)
        return warm, restarts


def main() -> None:
    warm, fresh, crash = asyncio.run(ours())
    peer_warm, peer_restart = jupyter()
    print(machine())
    print(table("Round trip and restart", [
        (f"warm round trip: `{SMALL_CELL}` (ours: snapshot included)",
         median_ms(warm), f"ipykernel: {median_ms(peer_warm)}"),
        ("fresh namespace + first cell (ours: reset = fork)",
         median_ms(fresh), f"kernel restart + first cell: {median_ms(peer_restart)}"),
        ("crash (os._exit) + replacement + first cell",
         median_ms(crash), f"kernel restart + first cell: {median_ms(peer_restart)}"),
    ]))


if __name__ == "__main__":
    main()
