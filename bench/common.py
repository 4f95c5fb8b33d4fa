"""Helpers for the runner benchmarks: timing, tables, machine description, a Jupyter peer."""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def machine() -> str:
    """One line naming the machine the figures come from."""
    cores = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return f"{platform.uname()} | {cores} cores | Python {platform.python_version()}"


def table(title: str, rows: list[tuple[str, str, str]]) -> str:
    """A Markdown table: what, tutor's runner, the peer."""
    lines = [f"### {title}", "", "| what | tutor runner | peer |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines)


def median_ms(times_s: list[float]) -> str:
    """Median and spread of times in seconds, shown in milliseconds."""
    ordered = sorted(times_s)
    return (f"{statistics.median(ordered) * 1000:.2f} ms "
            f"(min {ordered[0] * 1000:.2f}, n={len(ordered)})")


def python_import_torch_s() -> float:
    """Seconds for `python -c "import torch"` in a fresh interpreter."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    return time.perf_counter() - started


@contextmanager
def jupyter_kernel() -> Iterator[tuple[Any, Any]]:
    """A started ipykernel and a blocking client (the peer in every comparison)."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        yield manager, client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def jupyter_execute(client: Any, code: str) -> None:
    """Execute `code` and wait for the kernel to go idle; raise on an error reply."""
    reply = client.execute_interactive(code, store_history=False, output_hook=lambda msg: None)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(reply["content"])
