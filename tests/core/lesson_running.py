"""Helpers the lesson-facts tests share."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def default_device(device: str) -> Iterator[None]:
    """torch's default device set to `device` inside the block, as the runner's workers set it."""
    torch.set_default_device(device)
    try:
        yield
    finally:
        torch.set_default_device(None)
