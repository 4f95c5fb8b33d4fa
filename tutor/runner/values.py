"""Encode Python and torch values as plain JSON-able data; grading compares these encodings.

Formats are `tutor.runner.wire.Value`. Anything larger than the wire's caps (a tensor of more
than MAX_VALUES elements, a string over MAX_STRING characters) travels as a `SummaryValue`, so the
UI process's memory stays bounded whatever an expression returns.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from tutor.runner.wire import MAX_STRING, MAX_VALUES, SummaryValue, TensorValue, Value
from tutor.text import shorten

#: Longest repr kept in an encoding, in characters.
REPR_LIMIT = 2000
#: Values a summary shows from the start of a large tensor.
HEAD_VALUES = 8


def bounded_repr(value: object, limit: int = REPR_LIMIT) -> str:
    """`repr(value)`, cut to `limit` characters; never raises."""
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__ must not break the runner
        text = f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"
    return shorten(text, limit)


def _is_int_sequence(value: object) -> bool:
    return isinstance(value, (list, tuple)) and len(value) <= MAX_VALUES and all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    )


def _numbers_repr(value: object) -> str | None:
    """The whole repr of a nested list of at most MAX_VALUES plain numbers (a tensor's
    `.tolist()`), which grading reads back as the list; None for anything else."""
    pending, leaves = [value], 0
    while pending:
        item = pending.pop()
        if isinstance(item, list | tuple):
            if leaves + len(pending) + len(item) > MAX_VALUES:
                return None
            pending.extend(item)
        elif isinstance(item, int | float) and not isinstance(item, bool):
            leaves += 1
        else:
            return None
    return repr(value)


def _plain_scalar(value: Any) -> Value:
    """A Python scalar as itself; a complex number as its repr encoding."""
    if isinstance(value, complex):
        return {"kind": "repr", "repr": repr(value)}
    result: Value = value
    return result


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def summarize_tensor(tensor: Any) -> SummaryValue:
    """Shape, dtype, device, the first values and min/max/mean of a tensor too large to send."""
    import torch

    summary: SummaryValue = {
        "kind": "summary", "type": "tensor", "shape": list(tensor.shape),
        "dtype": str(tensor.dtype), "device": str(tensor.device), "numel": int(tensor.numel()),
        "head": [], "min": None, "max": None, "mean": None, "repr": "",
    }
    if tensor.device.type == "meta":
        return summary
    with torch.no_grad():
        flat = tensor.detach().reshape(-1)
        if flat.is_complex():
            summary["head"] = [repr(v) for v in flat[:HEAD_VALUES].cpu().tolist()]
            return summary
        summary["head"] = flat[:HEAD_VALUES].cpu().tolist()
        if flat.numel() and flat.dtype != torch.bool:
            as_float = flat.float() if flat.dtype != torch.float64 else flat
            summary["min"] = _finite_or_none(float(as_float.min()))
            summary["max"] = _finite_or_none(float(as_float.max()))
            summary["mean"] = _finite_or_none(float(as_float.mean()))
    return summary


def _encode_tensor(tensor: Any) -> TensorValue | SummaryValue:
    """`{"kind": "tensor", "values", "dtype", "shape"}`; meta tensors carry `values: None`."""
    if tensor.numel() > MAX_VALUES:
        return summarize_tensor(tensor)
    shape = list(tensor.shape)
    if tensor.device.type == "meta":
        values: Any = None
    else:
        detached = tensor.detach()
        if detached.is_complex():
            values = [repr(v) for v in detached.reshape(-1).cpu().tolist()]
        else:
            values = detached.cpu().tolist()
    return {"kind": "tensor", "values": values, "dtype": str(tensor.dtype), "shape": shape}


def _encode_numpy(value: Any) -> Value:
    """numpy scalars as Python scalars, arrays like tensors (dtype as `numpy.float64`)."""
    import numpy as np

    if isinstance(value, np.generic):
        return _plain_scalar(value.item())
    if value.size > MAX_VALUES or value.dtype.kind not in "biuf":
        import torch

        try:
            summary = summarize_tensor(torch.from_numpy(np.ascontiguousarray(value)))
        except (TypeError, RuntimeError):
            return {"kind": "repr", "repr": bounded_repr(value)}
        summary["type"], summary["dtype"] = "numpy.ndarray", f"numpy.{value.dtype}"
        return summary
    return {
        "kind": "tensor",
        "values": value.tolist(),
        "dtype": f"numpy.{value.dtype}",
        "shape": list(value.shape),
    }


def _summarize_text(text: str) -> SummaryValue:
    return {"kind": "summary", "type": "str", "shape": [len(text)], "dtype": "str",
            "device": "", "numel": len(text), "head": [text[:200]], "min": None, "max": None,
            "mean": None, "repr": bounded_repr(text[:REPR_LIMIT])}


def encode(value: Any) -> Value:
    """The plain form of `value` (see tutor.runner.wire.Value)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_STRING else _summarize_text(value)
    if isinstance(value, float):
        return value
    if isinstance(value, complex):
        return _plain_scalar(value)
    torch = sys.modules.get("torch")
    if torch is not None:
        if isinstance(value, torch.Tensor):
            return _encode_tensor(value)
        if isinstance(value, torch.dtype):
            return str(value)
        if isinstance(value, torch.Size):
            return list(value)
        if isinstance(value, torch.device):
            return str(value)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, (numpy.ndarray, numpy.generic)):
        return _encode_numpy(value)
    if _is_int_sequence(value):
        return list(value)
    numbers = _numbers_repr(value) if isinstance(value, list | tuple) else None
    return {"kind": "repr", "repr": numbers if numbers is not None else bounded_repr(value)}
