"""The zygote's device probe: resolve `--device` in a forked child, so CUDA stays out of it."""

from __future__ import annotations

import os
from typing import Any

import torch

from tutor.runner import protocol


def probe_device(requested: str) -> dict[str, Any]:
    """Resolve `auto|cpu|cuda|cuda:N|mps` to a device; raises ValueError with a clear reason.

    Runs in a forked child so that CUDA is never initialised in the zygote.
    """
    info: dict[str, Any] = {"torch": torch.__version__}
    want = requested.strip().lower()
    mps = getattr(torch.backends, "mps", None)
    mps_ok = bool(mps is not None and mps.is_available())
    if want == "auto":
        want = "cuda" if torch.cuda.is_available() else "mps" if mps_ok else "cpu"
    if want == "cpu":
        return {**info, "device": "cpu", "name": "cpu", "memory_total_mib": None}
    if want == "mps":
        if not mps_ok:
            raise ValueError("device 'mps' was requested but Apple MPS is not available here")
        return {**info, "device": "mps", "name": "Apple MPS", "memory_total_mib": None}
    if want == "cuda" or want.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise ValueError(f"device '{requested}' was requested but CUDA is not available here")
        index_text = want.partition(":")[2] or "0"
        if not index_text.isdigit():
            raise ValueError(f"device '{requested}' is not a valid CUDA device name")
        index = int(index_text)
        count = torch.cuda.device_count()
        if index >= count:
            raise ValueError(
                f"device '{requested}' was requested but only {count} CUDA device(s) exist")
        props = torch.cuda.get_device_properties(index)
        return {
            **info,
            "device": f"cuda:{index}",
            "name": props.name,
            "memory_total_mib": props.total_memory // (1024 * 1024),
        }
    raise ValueError(f"unknown device '{requested}': use auto, cpu, cuda, cuda:N or mps")


def probe_in_child(requested: str) -> dict[str, Any]:
    """`probe_device` in a forked (or, without fork, spawned) child; the zygote stays CUDA-free."""
    if not hasattr(os, "fork"):
        return probe_device(requested)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            try:
                reply: dict[str, Any] = {"info": probe_device(requested)}
            except Exception as exc:  # report any probe failure as the reason
                reply = {"error": str(exc)}
            os.write(write_end, protocol.encode(reply))
        finally:
            os._exit(0)
    os.close(write_end)
    with open(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    messages = protocol.FrameBuffer().feed(data)
    if not messages:
        raise ValueError("the device probe crashed")
    if "error" in messages[0]:
        raise ValueError(messages[0]["error"])
    info: dict[str, Any] = messages[0]["info"]
    return info
