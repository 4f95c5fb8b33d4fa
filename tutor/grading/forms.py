"""The forms of a computed answer that the rules say must be graded right.

`tutor check` grades each of them for every quiz and fails when one is refused, so a quiz whose
tolerance, accepted texts or computed value contradict the rules is caught before a learner
meets it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from tutor.runner.wire import is_repr, is_tensor

from .choices import numeric_choices
from .compare import DEFAULT_DTYPES, compare_values
from .dtype_names import ALIASES, canonical
from .expected import ExpectedValueError, as_number, as_tensor
from .grader import grade
from .number_reading import parse_number
from .numbers import within_typed_precision
from .shapes import format_shape
from .shown import parse_shown
from .tolerance import DEFAULT_DIGITS, parse_tolerance
from .units import asked_units, asks_bytes
from .verdict import Verdict

#: The significant digits a learner is likely to round a computed number to.
ROUNDINGS = (2, 3, 4)


def typed_form(kind: str, value: Any) -> str:
    """The computed value as a learner would type it in full."""
    if is_tensor(value):
        tensor = as_tensor(value)
        if kind == "number" and len(tensor.values) == 1:
            return repr(tensor.values[0])
        value = value.get("values")
    if kind == "number":
        while isinstance(value, list) and len(value) == 1:
            value = value[0]
    if kind == "shape" and isinstance(value, list):
        return format_shape(value)
    return str(value)


def _number_forms(value: object, tolerance: Mapping[str, object] | None,
                  shown: Sequence[str], ask: str = "") -> list[str]:
    number, dtype = as_number(value)
    if isinstance(number, bool):
        return [str(number), str(number).lower()]
    rules = parse_tolerance(tolerance)
    forms = [repr(number), f"tensor({number!r})"]
    # In the unit the question asks in ("how many gigabytes": `112.0 GB`).
    forms += [f"{number!r} {unit.upper() if unit[-2:] != 'ib' else unit[:-2].upper() + 'iB'}"
              for unit in asked_units(ask) if not asks_bytes(ask)]
    if number < 0:
        forms.append("−" + repr(number)[1:])
    if isinstance(number, int) and abs(number) >= 1000:
        forms += [f"{number:,}", f"{number:_}"]
    if not math.isfinite(number):
        return forms
    for digits in ROUNDINGS:
        rounded = f"{number:#.{digits}g}"  # "#" keeps trailing zeros: -0.090, not -0.09
        typed = parse_number(rounded)
        assert typed is not None
        if rules.explicit:
            if abs(typed.fraction - number) <= rules.bound(number):
                forms.append(rounded)
        elif not isinstance(number, int) and digits >= rules.digits:
            forms += [rounded, f"{number:.{digits - 1}e}"]
    floor = DEFAULT_DIGITS if rules.explicit else rules.digits
    epsilon = 2.0**-23 if dtype in (None, "float32") else 2.0**-52
    for item in parse_shown(shown):
        if item.value.digits >= floor and within_typed_precision(item.value, number, epsilon):
            forms.append(item.text.removeprefix("≈ "))
    return forms


def _shape_forms(value: object) -> list[str]:
    sizes = [int(n) for n in value] if isinstance(value, list) else []
    text = ", ".join(map(str, sizes))
    forms = [format_shape(sizes), f"[{text}]", f"torch.Size([{text}])"]
    if sizes:
        forms += ["x".join(map(str, sizes)), " by ".join(map(str, sizes))]
    else:
        forms.append("scalar")
    return forms


def _dtype_forms(value: object) -> list[str]:
    name = canonical(str(value)) or ""
    return [str(value), name, *(alias for alias, target in ALIASES.items()
                                if target == name and not alias.endswith("tensor"))]


def _tensor_forms(value: object) -> list[str]:
    tensor = as_tensor(value)
    values = value.get("values") if is_tensor(value) else value
    forms = [str(values), f"tensor({values})"]
    if tensor.shape and not all(isinstance(v, int) for v in tensor.values):
        rounded = _rounded(values, 4)
        forms.append(str(rounded))
    return forms


def _rounded(values: Any, digits: int) -> Any:
    if isinstance(values, list):
        return [_rounded(v, digits) for v in values]
    if isinstance(values, float) and math.isfinite(values):
        return float(f"{values:.{digits}g}")
    return values


def right_forms(kind: str, value: object, *, tolerance: Mapping[str, object] | None = None,
                choices: Sequence[str] = (), accept: Sequence[str] = (),
                shown: Sequence[str] = (), ask: str = "") -> list[str]:
    """Typed forms of the computed `value` that must be graded right (for typed quiz kinds)."""
    if kind == "number":
        return _number_forms(value, tolerance, shown, ask)
    if kind == "shape":
        return _shape_forms(value)
    if kind == "dtype":
        return _dtype_forms(value)
    if kind == "tensor":
        return _tensor_forms(value)
    if kind == "choice":
        texts = [choice.casefold() for choice in choices]
        if str(value).casefold() not in texts:
            return [str(value)]  # the grader says why this quiz cannot be graded
        index = texts.index(str(value).casefold())
        forms = [str(value), "abcdefghijklmnopqrstuvwxyz"[index % 26]]
        if not numeric_choices(choices):  # numbers as choices are picked by value, not position
            forms.append(str(index + 1))
        number = parse_number(str(value))
        if number is not None and number.boolean is None and number.finite:
            forms.append(repr(float(number)))  # a numeric choice by value: "2.0" for "2"
        dtype = canonical(str(value))
        if dtype is not None:
            forms.append(f"torch.{dtype}")  # a dtype choice by any spelling of the dtype
        return forms
    if kind == "text":
        return [*accept, *([str(value)] if isinstance(value, str) else [])]
    return []


def code_alternatives(value: object) -> list[object]:
    """Values a learner's code may give for a computed tensor: the tensor itself, its number
    (one element), its nested list (float32, int64 and bool tensors)."""
    alternatives: list[object] = [value]
    if is_tensor(value) and value.get("values") is not None:
        try:
            tensor = as_tensor(value)
        except ExpectedValueError:
            return alternatives
        if len(tensor.values) == 1:
            alternatives.append(tensor.values[0])
        if tensor.dtype in DEFAULT_DTYPES and tensor.shape:
            alternatives.append(value.get("values"))
    return alternatives


def code_alternative_expressions(answer: str, value: object) -> list[str]:
    """The quiz's `answer` rewritten as a learner may give the same value: `(answer).item()` for
    a one-element tensor, `(answer).tolist()` for a float32, int64 or bool tensor,
    `torch.tensor(answer)` for a number. `tutor check` runs and grades each, so the runner's
    encoding of the value is tested too, not only the grader."""
    if _plain_number(value):
        return [f"torch.tensor({answer})"]
    if not is_tensor(value) or value.get("values") is None:
        return []
    try:
        tensor = as_tensor(value)
    except ExpectedValueError:
        return []
    expressions = []
    if len(tensor.values) == 1:
        expressions.append(f"({answer}).item()")
    if tensor.dtype in DEFAULT_DTYPES and tensor.shape:
        expressions.append(f"({answer}).tolist()")
    return expressions


def _plain_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def refused_forms(kind: str, value: object, *, tolerance: Mapping[str, object] | None = None,
                  choices: Sequence[str] = (), accept: Sequence[str] = (),
                  shown: Sequence[str] = (), ask: str = "") -> list[tuple[str, Verdict]]:
    """Each right form of `value` that the grader refuses, with its verdict. Raises ValueError
    when the quiz cannot be graded at all (the computed value does not fit the kind)."""
    refused = []
    if kind == "code":
        if is_repr(value) and not str(
                value.get("repr", "")).startswith("["):
            raise ExpectedValueError(f"the answer gives {str(value.get('repr'))[:60]}, which the "
                                     "tutor cannot compare")
        for alternative in code_alternatives(value):
            verdict = compare_values(alternative, value, tolerance)
            if not verdict.correct:
                refused.append((repr(alternative)[:60], verdict))
        return refused
    forms = right_forms(kind, value, tolerance=tolerance, choices=choices, accept=accept,
                        shown=shown, ask=ask)
    full = [typed_form(kind, value)] if value is not None else []
    for form in dict.fromkeys([*full, *forms]):
        verdict = grade(kind, form, value, tolerance=tolerance, choices=list(choices),
                        accept=list(accept), shown=shown, ask=ask)
        if not verdict.correct:
            refused.append((form, verdict))
    return refused
