"""Read the runner's plain-data encodings of computed answers (see tutor/runner/values.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tutor.runner.wire import is_repr, is_tensor
from tutor.text import shorten

from . import dtype_names as dtypes


class ExpectedValueError(ValueError):
    """The computed answer does not fit the quiz's kind: a fault in the lesson, not the learner."""


@dataclass(frozen=True)
class ExpectedTensor:
    """A computed tensor: row-major values, shape and canonical dtype name."""

    values: tuple[Any, ...]
    shape: tuple[int, ...]
    dtype: str


def _special(value: Any) -> Any:
    """Floats that arrived as text ("nan", "inf") as floats; everything else unchanged."""
    if isinstance(value, str) and value.strip().casefold() in {"nan", "inf", "-inf", "+inf"}:
        return float(value)
    return value


def flatten(values: Any, depth: int = 0) -> list[Any]:
    """Row-major leaves of a nested list."""
    if isinstance(values, list | tuple):
        if depth > 64:
            raise ExpectedValueError("the computed tensor is nested too deeply")
        return [leaf for item in values for leaf in flatten(item, depth + 1)]
    return [_special(values)]


def nested_shape(values: Any) -> tuple[int, ...]:
    """Shape of a rectangular nested list; ExpectedValueError when ragged."""
    if not isinstance(values, list | tuple):
        return ()
    if not values:
        return (0,)
    inner = {nested_shape(item) for item in values}
    if len(inner) != 1:
        raise ExpectedValueError("the computed nested list is ragged, not a tensor")
    return (len(values), *inner.pop())


def _infer_dtype(leaves: list[Any]) -> str:
    if leaves and all(isinstance(v, bool) for v in leaves):
        return "bool"
    if all(isinstance(v, int) for v in leaves):
        return "int64"
    return "float32"


def as_tensor(expected: object) -> ExpectedTensor:
    """A tensor dict or a nested list (or a bare number, rank 0) as an ExpectedTensor."""
    if is_tensor(expected):
        assert isinstance(expected, dict)
        if expected.get("values") is None:
            raise ExpectedValueError("the computed tensor has no values (a meta tensor?)")
        dtype = dtypes.canonical(str(expected.get("dtype", "")))
        if dtype is None or dtypes.category(dtype) == "complex":
            raise ExpectedValueError(f"cannot grade a tensor of dtype {expected.get('dtype')!r}")
        shape = tuple(int(n) for n in expected.get("shape", ()))
        leaves = flatten(expected["values"])
        if math.prod(shape) != len(leaves):
            raise ExpectedValueError("the computed tensor's values do not fill its shape")
        return ExpectedTensor(tuple(leaves), shape, dtype)
    if isinstance(expected, list | tuple | int | float):
        leaves = flatten(expected)
        if not all(isinstance(v, int | float) for v in leaves):
            raise ExpectedValueError("the computed list holds values that are not numbers")
        return ExpectedTensor(tuple(leaves), nested_shape(expected), _infer_dtype(leaves))
    raise ExpectedValueError(f"the computed answer is not a tensor: {_describe(expected)}")


def as_number(expected: object) -> tuple[bool | int | float, str | None]:
    """A computed number and its dtype (None for plain Python numbers)."""
    if isinstance(expected, bool | int | float):
        return expected, None
    if is_tensor(expected):
        tensor = as_tensor(expected)
        if len(tensor.values) == 1:
            value = tensor.values[0]
            if tensor.dtype == "bool":
                return bool(value), tensor.dtype
            if dtypes.is_exact(tensor.dtype):
                return int(value), tensor.dtype
            return float(value), tensor.dtype
        raise ExpectedValueError(f"the computed tensor has {len(tensor.values)} elements, not 1")
    raise ExpectedValueError(f"the computed answer is not a number: {_describe(expected)}")


def as_text(expected: object) -> str | None:
    """A computed string, the repr of an opaque value, or None."""
    if expected is None or isinstance(expected, str):
        return expected
    if is_repr(expected):
        return str(expected.get("repr"))
    if isinstance(expected, bool | int | float):
        return str(expected)
    raise ExpectedValueError(f"the computed answer is not text: {_describe(expected)}")


def _describe(value: object) -> str:
    return shorten(repr(value), 80)
