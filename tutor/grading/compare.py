"""Compare a value computed by the learner's code with the reference value (both plain data)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .dtype_names import canonical, display, is_exact
from .expected import ExpectedValueError, as_tensor, is_tensor_dict
from .shapes import format_shape
from .tolerance import Tolerance, parse_tolerance
from .verdict import Verdict

#: Default (rtol, atol) per dtype, as torch.testing.assert_close uses them.
DTYPE_TOLERANCE = {
    "float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
    "float8_e4m3fn": (0.125, 1e-3), "float8_e4m3fnuz": (0.125, 1e-3),
    "float8_e5m2": (0.25, 1e-3), "float8_e5m2fnuz": (0.25, 1e-3), "float8_e8m0fnu": (1.0, 1e-3),
}
#: Plain Python floats (often a float32 tensor's .item()): float32's rtol, a tight atol.
FLOAT_TOLERANCE = (1.3e-6, 1e-8)


def _type_name(value: object) -> str:
    if is_tensor_dict(value):
        return "a tensor"
    if isinstance(value, Mapping) and value.get("kind") == "repr":
        return "a Python object"
    names = {bool: "a bool", int: "an integer", float: "a float", str: "a string",
             list: "a list", tuple: "a list", dict: "a dict", type(None): "None"}
    return names.get(type(value), type(value).__name__)


def _is_repr(value: object) -> bool:
    return isinstance(value, Mapping) and value.get("kind") == "repr"


def _close(got: float, expected: float, rtol: float, atol: float) -> bool:
    if math.isnan(expected) or math.isnan(got):
        return math.isnan(expected) and math.isnan(got)
    if math.isinf(expected) or math.isinf(got):
        return got == expected
    return abs(got - expected) <= atol + rtol * abs(expected)


def _bounds(tolerance: Tolerance, default: tuple[float, float]) -> tuple[float, float]:
    """(rtol, atol): the quiz's abs/rel when given (`digits` does not apply to computed values)."""
    if tolerance.explicit:
        return tolerance.relative or 0.0, tolerance.absolute or 0.0
    return default


def _describe(rtol: float, atol: float) -> str:
    return "exactly" if rtol == atol == 0 else f"within rtol {rtol:g}, atol {atol:g}"


def _opaque_tensor(value: Mapping[str, Any]) -> bool:
    """Meta tensors (no values) and complex ones (values as reprs) compare as they are."""
    dtype = canonical(str(value.get("dtype", "")))
    return value.get("values") is None or dtype is None or dtype.startswith("complex")


def _compare_tensors(got: Any, expected: Any, tolerance: Tolerance) -> Verdict:
    if _opaque_tensor(got) or _opaque_tensor(expected):
        shown = format_shape(tuple(got.get("shape", ())))
        if all(got.get(key) == expected.get(key) for key in ("shape", "dtype", "values")):
            return Verdict.right(f"Correct: shape {shown}, {got.get('dtype')}, same values.",
                                 shown)
        return Verdict.wrong(f"Your tensor (shape {shown}, {got.get('dtype')}) is not the "
                             "computed one.", shown)
    try:
        mine, theirs = as_tensor(got), as_tensor(expected)
    except ExpectedValueError as error:
        return Verdict.wrong(f"Your value cannot be compared as a tensor: {error}.")
    shape = format_shape(mine.shape)
    if mine.shape != theirs.shape:
        if sorted(mine.shape) == sorted(theirs.shape) and len(mine.values) == len(theirs.values):
            return Verdict.wrong(f"Your tensor has shape {shape}: the right sizes, "
                                 "not the computed shape.", shape)
        return Verdict.wrong(f"Your tensor has shape {shape}, not the computed shape.", shape)
    exact = is_exact(theirs.dtype) and is_exact(mine.dtype)
    looser = max(DTYPE_TOLERANCE.get(mine.dtype, (0.0, 0.0)),
                 DTYPE_TOLERANCE.get(theirs.dtype, (0.0, 0.0)))
    rtol, atol = (0.0, 0.0) if exact and not tolerance.explicit else _bounds(tolerance, looser)
    wrong = [i for i, (a, b) in enumerate(zip(mine.values, theirs.values, strict=True))
             if not _close(float(a), float(b), rtol, atol)]
    how = _describe(rtol, atol)
    if wrong:
        return Verdict.wrong(f"{len(wrong)} of {len(theirs.values)} values differ "
                             f"(compared {how}).", shape)
    if canonical(mine.dtype) != canonical(theirs.dtype):
        return Verdict.wrong(f"Right values, but your tensor is {display(mine.dtype)}, not the "
                             "computed dtype.", shape)
    return Verdict.right(f"Correct: shape {shape}, {display(theirs.dtype)}, values equal "
                         f"{how}.", shape)


def _compare(got: Any, expected: Any, tolerance: Tolerance, where: str) -> Verdict:
    at = f" at {where}" if where else ""
    if is_tensor_dict(expected) or is_tensor_dict(got):
        if not (is_tensor_dict(expected) and is_tensor_dict(got)):
            return Verdict.wrong(f"Your value{at} is {_type_name(got)}; "
                                 f"{_type_name(expected)} was expected.")
        return _compare_tensors(got, expected, tolerance)
    numbers = (int, float)
    if isinstance(expected, bool) or isinstance(got, bool):
        if type(got) is not type(expected):
            return Verdict.wrong(f"Your value{at} is {_type_name(got)}; "
                                 f"{_type_name(expected)} was expected.")
        if got == expected:
            return Verdict.right(f"Correct: {expected}.", got)
        return Verdict.wrong(f"Your value{at} is not the computed truth value.", got)
    if isinstance(expected, numbers) and isinstance(got, numbers):
        exact = isinstance(expected, int) and isinstance(got, int) and not tolerance.explicit
        rtol, atol = (0.0, 0.0) if exact else _bounds(tolerance, FLOAT_TOLERANCE)
        if _close(float(got), float(expected), rtol, atol) and (not exact or got == expected):
            return Verdict.right(f"Correct: {expected!r} (compared {_describe(rtol, atol)}).",
                                 got)
        return Verdict.wrong(f"Your value{at}, {got!r}, is not the computed one (compared "
                             f"{_describe(rtol, atol)}).", got)
    if isinstance(expected, list | tuple) and isinstance(got, list | tuple):
        if len(got) != len(expected):
            return Verdict.wrong(f"Your list{at} has {len(got)} items, not the computed number.")
        for i, (mine, theirs) in enumerate(zip(got, expected, strict=True)):
            verdict = _compare(mine, theirs, tolerance, f"{where}[{i}]")
            if not verdict.correct:
                return verdict
        return Verdict.right(f"Correct: all {len(expected)} items match.", list(got))
    if _is_repr(expected) or _is_repr(got):
        if _is_repr(expected) and _is_repr(got) and got["repr"] == expected["repr"]:
            return Verdict.right(f"Correct: {expected['repr']:.200}.", got["repr"])
        return Verdict.wrong(f"Your value{at} is not the computed one.",
                             got["repr"] if _is_repr(got) else got)
    if isinstance(expected, Mapping) and isinstance(got, Mapping):
        if set(got) != set(expected):
            return Verdict.wrong(f"Your value{at} has different keys.")
        for key in expected:
            verdict = _compare(got[key], expected[key], tolerance, f"{where}[{key!r}]")
            if not verdict.correct:
                return verdict
        return Verdict.right(f"Correct: {where or 'the value'} matches.")
    if type(got) is not type(expected) and not (
        isinstance(got, numbers) and isinstance(expected, numbers)
    ):
        return Verdict.wrong(f"Your value{at} is {_type_name(got)}; "
                             f"{_type_name(expected)} was expected.")
    if got == expected:
        return Verdict.right(f"Correct: {expected!r:.200}.", got)
    return Verdict.wrong(f"Your value{at} is not the computed one.", got)


def compare_values(got: object, expected: object,
                   tolerance: Mapping[str, object] | Tolerance | None = None) -> Verdict:
    """Judge a code answer's value against the reference: shape, dtype, then values with
    dtype-aware tolerance; numbers, strings, lists and dicts compared sensibly."""
    bounds = tolerance if isinstance(tolerance, Tolerance) else parse_tolerance(tolerance)
    return _compare(got, expected, bounds, "")
