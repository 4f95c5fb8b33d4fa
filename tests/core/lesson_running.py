"""Helpers the lesson tests share: torch's default device, and a runner in this process."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import torch

from tutor.runner import values, wire


@contextlib.contextmanager
def default_device(device: str) -> Iterator[None]:
    """torch's default device set to `device` inside the block, as the runner's workers set it."""
    torch.set_default_device(device)
    try:
        yield
    finally:
        torch.set_default_device(None)


class LocalRunner:
    """Just enough of the runner for `check_lesson`: cells exec'd and expressions eval'd in a
    dict in this process, values sent through the runner's own encoding (`encode`, replaceable
    to mimic another)."""

    def __init__(self, encode: Callable[[Any], Any] = values.encode) -> None:
        self.encode = encode
        self.namespace: dict[str, Any] = {}

    async def reset(self, namespace: str) -> None:
        self.namespace = {}

    async def drop(self, namespace: str) -> None:
        return None

    async def execute(self, namespace: str, code: str, *, timeout: float | None = None,
                      filename: str = "<cell>") -> wire.ExecuteResult:
        exec(code, self.namespace)
        return {"ok": True, "output": "", "truncated": False, "error": None,
                "snapshot": wire.empty_snapshot(), "plots": [], "duration_s": 0.0}

    async def evaluate(self, namespace: str, expression: str, *, fresh_copy: bool = False,
                       timeout: float | None = None) -> dict[str, Any]:
        scope = dict(self.namespace) if fresh_copy else self.namespace
        try:
            value = eval(expression, scope)
        except Exception as error:  # as the runner replies: the exception, by name
            return {"ok": False, "value": None,
                    "error": {"kind": "exception", "message": f"{type(error).__name__}: {error}"}}
        return {"ok": True, "value": self.encode(value), "error": None}
