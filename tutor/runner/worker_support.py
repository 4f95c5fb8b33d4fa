"""What the worker needs besides its requests: streams, names, error kinds and fate replies."""

from __future__ import annotations

import ast
import io
from collections.abc import Callable
from typing import Any

import torch

from tutor.i18n import N_
from tutor.runner import protocol, wire
from tutor.text import shorten

#: Longest one-sentence error message, in characters.
MESSAGE_LIMIT = 300

#: Why a worker is replaced after its reply, by what `fate_error` is given.
_FATES = {
    "output": N_("The cell closed every copy of the output channel, so the worker was "
                 "replaced; the namespace was reset."),
    "killed": N_("The runner process was killed while this ran, so it is restarted; every "
                 "namespace is reset."),
    "stopped": N_("The runner process was stopped while this ran, so it is restarted; every "
                  "namespace is reset."),
}


def fate_error(fate: str) -> wire.Error:
    """The crash error of a worker whose output was lost or whose zygote was killed or stopped."""
    return wire.error_said("crash", wire.said(_FATES[fate]))


def lost_reply(request_id: Any) -> bytes:
    """The frame a worker sends for the request it was running when its zygote died."""
    return protocol.encode({"id": request_id, "ok": False, "replace": True,
                            "error": fate_error("killed")})


def one_line(text: str) -> str:
    """`text` on one line, cut to MESSAGE_LIMIT characters."""
    return shorten(" ".join(text.split()), MESSAGE_LIMIT)


def text_stream(fd: int) -> io.TextIOWrapper:
    """An unbuffered, write-through text stream over `fd`."""
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", write_through=True)


def assigned_names(tree: ast.Module) -> list[str]:
    """Top-level names assigned by a cell, in source order (for choosing the graph root)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append((node.lineno, node.col_offset, node.id))
    return [name for _, _, name in sorted(names)]


def safe_text(make: Callable[[], object], fallback: str) -> str:
    """`make()` as text, or `fallback` when it raises (a cell's exception whose `__str__`,
    `__repr__` or class name raises must still be reported as that exception)."""
    try:
        return str(make())
    except Exception:
        return fallback


def is_out_of_memory(exc: BaseException, text: str) -> bool:
    """Whether `exc` (whose message is `text`) means memory ran out, on any device."""
    if isinstance(exc, MemoryError):
        return True
    cuda_oom = getattr(torch.cuda, "OutOfMemoryError", None)
    if cuda_oom is not None and isinstance(exc, cuda_oom):
        return True
    return isinstance(exc, RuntimeError) and (
        "can't allocate memory" in text or "out of memory" in text.lower()
        or "bad_alloc" in text or "not enough memory" in text
    )
