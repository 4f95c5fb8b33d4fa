"""Runner ready after launch vs a plain `python -c "import torch"` (budget: peer + 0.2 s)."""

from __future__ import annotations

import asyncio
import statistics
import time

from common import machine, python_import_torch_s, table

from tutor.runner.client import Runner

ROUNDS = 5


async def runner_ready_s() -> float:
    started = time.perf_counter()
    runner = Runner("cpu")
    await runner.start()
    elapsed = time.perf_counter() - started
    await runner.close()
    return elapsed


def main() -> None:
    ours, peer = [], []
    for _ in range(ROUNDS):  # interleaved so both see the same page cache and load
        peer.append(python_import_torch_s())
        ours.append(asyncio.run(runner_ready_s()))
    print(machine())
    print(table("Runner ready after launch", [(
        "median of 5 (min)",
        f"{statistics.median(ours):.3f} s ({min(ours):.3f})",
        f'`python -c "import torch"`: {statistics.median(peer):.3f} s ({min(peer):.3f})',
    )]))
    print(f"\ndifference of medians: {statistics.median(ours) - statistics.median(peer):+.3f} s "
          "(budget +0.2 s)")


if __name__ == "__main__":
    main()
