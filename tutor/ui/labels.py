"""Short texts the UI shows for runner states, devices and values (no Textual, no torch)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tutor.i18n import N_, _
from tutor.runner.state import RunnerState
from tutor.runner.wire import is_repr, is_summary, is_tensor

if TYPE_CHECKING:
    from tutor.study.cells import CellState

#: What each runner state reads as in the status bar.
STATE_WORDS = {
    RunnerState.STARTING: N_("starting runner…"),
    RunnerState.READY: N_("ready"),
    RunnerState.BUSY: N_("running"),
    RunnerState.RESTARTING: N_("restarting worker…"),
    RunnerState.DEAD: N_("runner stopped"),
}


#: How each cell state (`tutor.study.CellState`'s value) reads next to the cell number.
#: Each `tutor.study.CellState`, by value, in words (the app's first frame imports this module,
#: and need not import the lesson session with it).
CELL_STATE_TEXT = {"not-run": "", "running": N_("running…"), "ran": N_("ran"),
                   "failed": N_("failed")}


def cell_state_text(state: CellState | None) -> str:
    """A cell's state in words ("" before it runs, or when nothing is known of it)."""
    text = CELL_STATE_TEXT.get(state.value, "") if state is not None else ""
    return _(text) if text else ""


def device_label(info: dict[str, Any]) -> str:
    """`cpu`, or `cuda:0 · NVIDIA H100 80GB HBM3` for an accelerator with a name."""
    device = str(info.get("device") or "")
    name = str(info.get("name") or "")
    if not device:
        return _("device: …")
    if name and name != device:
        return f"{device} · {name}"
    return device


def state_label(state: RunnerState) -> str:
    """The runner state in words."""
    return _(STATE_WORDS[state]) if state in STATE_WORDS else state.value


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
    if is_tensor(value):
        values = value.get("values")
        shown = _("(no values)") if values is None else repr(values)
        return _("tensor {values}, shape {shape}, {dtype}").format(
            values=shown, shape=shape_text(value.get("shape")), dtype=value.get("dtype"))

    if is_summary(value):
        return _("{type} of shape {shape}, {dtype}, too large to show in full: {head}…").format(
            type=value["type"], shape=shape_text(value["shape"]), dtype=value["dtype"],
            head=", ".join(f"{v:.6g}" if isinstance(v, float) else str(v)
                           for v in value["head"][:8]))
    if is_repr(value):
        return str(value.get("repr"))
    if isinstance(value, list) and all(isinstance(n, int) for n in value):
        return shape_text(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
