"""Messages that come from outside any widget (the runner), posted to the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tutor.runner.state import RunnerState


@dataclass
class RunnerStateChanged(Message):
    """The runner moved to `state`; `reason` says why when it stopped."""

    state: RunnerState
    reason: str | None = None
