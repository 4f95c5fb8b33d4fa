"""Short texts the UI shows for runner states, devices and values (no Textual, no torch)."""

from __future__ import annotations

from typing import Any

from tutor.runner.state import RunnerState

#: What each runner state reads as in the status bar.
STATE_WORDS = {
    RunnerState.STARTING: "starting runner…",
    RunnerState.READY: "ready",
    RunnerState.BUSY: "running",
    RunnerState.RESTARTING: "restarting worker…",
    RunnerState.DEAD: "runner stopped",
}


def device_label(info: dict[str, Any]) -> str:
    """`cpu`, or `cuda:0 · NVIDIA H100 80GB HBM3` for an accelerator with a name."""
    device = str(info.get("device") or "")
    name = str(info.get("name") or "")
    if not device:
        return "device: …"
    if name and name != device:
        return f"{device} · {name}"
    return device


def state_label(state: RunnerState) -> str:
    """The runner state in words."""
    return STATE_WORDS.get(state, state.value)


def shape_text(shape: list[int] | tuple[int, ...] | None) -> str:
    """`(2, 3)` for a shape; `()` for a scalar."""
    if shape is None:
        return ""
    inner = ", ".join(str(n) for n in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def dtype_text(dtype: str) -> str:
    """`float32` for `torch.float32`."""
    return dtype.removeprefix("torch.")


def value_text(value: Any) -> str:
    """A computed answer (plain data from the runner) as the learner would type it."""
    if isinstance(value, dict) and value.get("kind") == "tensor":
        values = value.get("values")
        shown = "(no values)" if values is None else repr(values)
        return f"tensor {shown}, shape {shape_text(value.get('shape'))}, {value.get('dtype')}"
    if isinstance(value, dict) and value.get("kind") == "repr":
        return str(value.get("repr"))
    if isinstance(value, list) and all(isinstance(n, int) for n in value):
        return shape_text(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
