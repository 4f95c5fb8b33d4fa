"""Memory of one learner's session (zygote + learner + reference workers) vs a Jupyter kernel.

Measured after a small cell in both namespaces, then after a cell that builds an optimizer (which
imports torch._dynamo), with the zygote's preload of torch._dynamo on and off.
"""

from __future__ import annotations

import asyncio
import os

from common import jupyter_execute, jupyter_kernel, machine, table

from tutor.runner.client import Runner
from tutor.runner.measure import SMALL_CELL, pss_mib, rss_mib

#: A cell like lesson 6's: the first optimizer imports torch._dynamo.
OPTIMIZER_CELL = (
    "net = torch.nn.Linear(10, 5)\nopt = torch.optim.SGD(net.parameters(), lr=0.01)"
)


def pss_text(pids: list[int]) -> str:
    """Total PSS with its anonymous and file parts."""
    total, anon, file = (pss_mib(pids, field) for field in ("Pss", "Pss_Anon", "Pss_File"))
    if total is None or anon is None or file is None:
        return "n/a"
    return f"{total:.0f} MiB (anon {anon:.0f}, file {file:.0f})"


async def ours(preload: bool) -> tuple[str, str, float | None]:
    runner = Runner("cpu", preload=preload)
    await runner.start()
    try:
        for namespace in ("learner", "reference"):
            await runner.execute(namespace, "import torch\n" + SMALL_CELL)
        pids = [runner.zygote_pid or 0, *runner.worker_pids()]
        small = pss_text(pids)
        for namespace in ("learner", "reference"):
            await runner.execute(namespace, OPTIMIZER_CELL)
        return small, pss_text(pids), rss_mib()
    finally:
        await runner.close()


def jupyter() -> tuple[str, str, float | None]:
    with jupyter_kernel() as (_, client):
        jupyter_execute(client, "import torch\n" + SMALL_CELL)
        pid = None
        client.execute("import os; os.getpid()", store_history=False)
        while pid is None:
            msg = client.get_iopub_msg(timeout=10)
            if msg["msg_type"] == "execute_result":
                pid = int(msg["content"]["data"]["text/plain"])
        small = pss_text([pid])
        jupyter_execute(client, OPTIMIZER_CELL)
        return small, pss_text([pid]), rss_mib(os.getpid())


def main() -> None:
    small, optimizer, client_rss = asyncio.run(ours(preload=True))
    small_off, optimizer_off, _ = asyncio.run(ours(preload=False))
    kernel, kernel_optimizer, jupyter_client_rss = jupyter()
    print(machine())
    print(table("Memory of one learner's session", [
        ("runner PSS, 3 processes (zygote + learner + reference), after a small cell",
         f"{small}; without preload: {small_off}", f"one ipykernel with torch: {kernel}"),
        ("same, after an optimizer cell in both namespaces",
         f"{optimizer}; without preload: {optimizer_off}",
         f"one ipykernel with torch: {kernel_optimizer}"),
        ("client process RSS (this benchmark, no UI)",
         f"{client_rss:.0f} MiB" if client_rss else "n/a",
         f"same process holding a jupyter_client: {jupyter_client_rss:.0f} MiB"
         if jupyter_client_rss else "n/a"),
    ]))


if __name__ == "__main__":
    main()
