"""The runner's state and error, apart from the client so the UI can name them cheaply."""

from __future__ import annotations

import enum


class RunnerState(enum.Enum):
    """What the runner is doing, for the UI's status line."""

    STARTING = "starting"
    READY = "ready"
    BUSY = "busy"
    RESTARTING = "restarting"
    DEAD = "dead"


class RunnerError(RuntimeError):
    """The runner cannot serve requests (it failed to start, or died); the message says why."""
