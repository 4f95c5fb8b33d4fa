"""Memory of one learner's session (zygote + learner + reference workers) vs a Jupyter kernel."""

from __future__ import annotations

import asyncio
import os

from common import jupyter_execute, jupyter_kernel, machine, table

from tutor.runner.client import Runner
from tutor.runner.measure import SMALL_CELL, pss_mib, rss_mib


async def ours() -> tuple[float | None, float | None, int]:
    runner = Runner("cpu")
    await runner.start()
    try:
        for namespace in ("learner", "reference"):
            await runner.execute(namespace, "import torch\n" + SMALL_CELL)
        pids = [runner.zygote_pid or 0, *runner.worker_pids()]
        return pss_mib(pids), rss_mib(), len(pids)
    finally:
        await runner.close()


def jupyter() -> tuple[float | None, float | None]:
    with jupyter_kernel() as (_, client):
        jupyter_execute(client, "import torch\n" + SMALL_CELL)
        pid = None
        client.execute("import os; os.getpid()", store_history=False)
        while pid is None:
            msg = client.get_iopub_msg(timeout=10)
            if msg["msg_type"] == "execute_result":
                pid = int(msg["content"]["data"]["text/plain"])
        return pss_mib([pid]), rss_mib(os.getpid())


def main() -> None:
    session, client_rss, processes = asyncio.run(ours())
    kernel, jupyter_client_rss = jupyter()
    print(machine())
    print(table("Memory of one learner's session", [
        (f"runner PSS ({processes} processes: zygote + learner + reference)",
         f"{session:.0f} MiB" if session else "n/a",
         f"ipykernel with torch, PSS: {kernel:.0f} MiB" if kernel else "n/a"),
        ("client process RSS (this benchmark, no UI)",
         f"{client_rss:.0f} MiB" if client_rss else "n/a",
         f"same process holding a jupyter_client: {jupyter_client_rss:.0f} MiB"
         if jupyter_client_rss else "n/a"),
    ]))


if __name__ == "__main__":
    main()
