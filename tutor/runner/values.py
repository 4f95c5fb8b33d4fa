"""Encode Python and torch values as plain JSON-able data; grading compares these encodings."""

from __future__ import annotations

import sys
from typing import Any

#: Longest repr kept in an encoding, in characters.
REPR_LIMIT = 2000


def bounded_repr(value: object, limit: int = REPR_LIMIT) -> str:
    """`repr(value)`, cut to `limit` characters; never raises."""
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__ must not break the runner
        text = f"<unrepresentable {type(value).__name__}: {type(exc).__name__}>"
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _is_int_sequence(value: object) -> bool:
    return isinstance(value, (list, tuple)) and all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    )


def _plain_scalar(value: Any) -> Any:
    """A Python scalar as itself; a complex number as its repr encoding."""
    if isinstance(value, complex):
        return {"kind": "repr", "repr": repr(value)}
    return value


def _encode_tensor(tensor: Any) -> dict[str, Any]:
    """`{"kind": "tensor", "values", "dtype", "shape"}`; meta tensors carry `values: None`."""
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


def _encode_numpy(value: Any) -> Any:
    """numpy scalars as Python scalars, arrays like tensors (dtype as `numpy.float64`)."""
    import numpy as np

    if isinstance(value, np.generic):
        return _plain_scalar(value.item())
    return {
        "kind": "tensor",
        "values": value.tolist(),
        "dtype": f"numpy.{value.dtype}",
        "shape": list(value.shape),
    }


def encode(value: Any) -> Any:
    """The plain form of `value` (see tutor.runner.client for the format)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
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
    return {"kind": "repr", "repr": bounded_repr(value)}

