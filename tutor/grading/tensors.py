"""Tensor answers typed as nested lists or as PyTorch prints them, judged element by element."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tutor.i18n import _
from tutor.text import shorten

from .dtype_names import EPSILON, canonical, display, is_exact
from .expected import ExpectedTensor, ExpectedValueError, as_tensor, nested_shape
from .normalize import normalize_typed
from .number_reading import parse_number
from .numbers import is_exactly, within_bound, within_typed_precision
from .shapes import format_shape
from .tolerance import Tolerance
from .typed_number import TypedNumber
from .verdict import Verdict

#: Form examples; any that equals the computed tensor is skipped.
TENSOR_EXAMPLES = ("[[1.0, 2.0], [3.0, 4.0]]", "tensor([0.5, -1.25])", "[[7, 8, 9]]",
                   "tensor([[0.5], [1.5]])")
MAX_DEPTH = 32

_CALL = re.compile(r"(?:torch\.)?(?:tensor|array)\s*\(", re.IGNORECASE)
_ELEMENT = re.compile(
    r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|nan|inf(?:inity)?)|true|false",
    re.IGNORECASE | re.ASCII,
)
_KWARGS = re.compile(
    r"(?:\s*,\s*\w+\s*=\s*(?:'[^']*'|\"[^\"]*\"|<[^>]*>|\([^()]*\)|[^,\s()]+))*\s*,?\s*"
)
_DTYPE_KWARG = re.compile(r"dtype\s*=\s*([\w.]+)")
_CLOSING = {"[": "]", "(": ")"}


class _Unparseable(Exception):
    """Raised inside the parser; carries the message for the learner."""


@dataclass(frozen=True)
class TypedTensor:
    """A tensor as typed: row-major elements, shape, and the dtype if the learner wrote one."""

    elements: tuple[TypedNumber, ...]
    shape: tuple[int, ...]
    dtype: str | None = None

    def plain(self) -> Any:
        """Nested lists of plain numbers, for display."""
        return _nest([e.plain() for e in self.elements], self.shape)


def _nest(flat: list[Any], shape: tuple[int, ...]) -> Any:
    if not shape:
        return flat[0]
    if len(shape) == 1:
        return list(flat)
    step = math.prod(shape[1:])
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


class _Parser:
    """Recursive descent over nested brackets of number literals; never evaluates anything."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> bool:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.pos > start

    def value(self, depth: int = 0) -> Any:
        self.skip()
        char = self.text[self.pos:self.pos + 1]
        if char in _CLOSING:
            if depth >= MAX_DEPTH:
                raise _Unparseable(_("That tensor is nested too deeply."))
            return self.sequence(_CLOSING[char], depth)
        match = _ELEMENT.match(self.text, self.pos)
        if not match:
            raise _Unparseable("")
        self.pos = match.end()
        number = parse_number(match.group())
        if number is None:
            raise _Unparseable("")
        return number

    def sequence(self, close: str, depth: int) -> list[Any]:
        self.pos += 1
        items: list[Any] = []
        self.skip()
        if self.text.startswith(close, self.pos):
            self.pos += 1
            return items
        while True:
            items.append(self.value(depth + 1))
            spaced = self.skip()
            char = self.text[self.pos:self.pos + 1]
            if char == ",":
                self.pos += 1
                self.skip()
                if self.text.startswith(close, self.pos):
                    self.pos += 1
                    return items
            elif char == close:
                self.pos += 1
                return items
            elif not spaced or not char or char in "])":
                raise _Unparseable("")


def _shape(node: Any) -> tuple[int, ...]:
    try:
        return nested_shape(node)
    except ExpectedValueError:
        raise _Unparseable(_("Rows of different lengths: every row of a tensor has the same "
                             "size.")) from None


def _leaves(node: Any) -> list[TypedNumber]:
    if isinstance(node, list):
        return [leaf for item in node for leaf in _leaves(item)]
    return [node]


def parse_tensor(text: str) -> TypedTensor | str:
    """The tensor in `text`, or a message saying what is wrong ("" when only the form is)."""
    text = normalize_typed(text)
    if "..." in text or "…" in text:
        return _("Type every value: PyTorch shortens long tensors with '...' when printing "
                 "them.")
    dtype = None
    call = _CALL.match(text)
    try:
        if call:
            if not text.endswith(")"):
                return ""
            inner = text[call.end():-1]
            parser = _Parser(inner)
            node = parser.value()
            rest = inner[parser.pos:]
            if not _KWARGS.fullmatch(rest):
                return ""
            dtype_kwarg = _DTYPE_KWARG.search(rest)
            if dtype_kwarg:
                dtype = canonical(dtype_kwarg.group(1))
                if dtype is None:
                    return _("Unknown dtype {name} in dtype=...").format(
                        name=repr(dtype_kwarg.group(1)))
        else:
            # Values without brackets are one row: `5, 7, 9`, and `5 7 9` as in brackets.
            bare = not any(mark in text for mark in "[]()")
            if ("," in text and text[:1] not in _CLOSING) or (bare and len(text.split()) > 1):
                text = f"[{text}]"
            parser = _Parser(text)
            node = parser.value()
            if parser.text[parser.pos:].strip():
                return ""
        return TypedTensor(tuple(_leaves(node)), _shape(node), dtype)
    except _Unparseable as error:
        return str(error)


def _element_ok(typed: TypedNumber, expected: Any, dtype: str, tolerance: Tolerance) -> bool:
    """One element: exact for integer/bool dtypes, else at typed precision (or abs/rel)."""
    expected = float(expected) if not isinstance(expected, int) else expected
    if isinstance(expected, float) and not math.isfinite(expected):
        if math.isnan(expected):
            return typed.is_nan
        return typed.is_infinite and float(typed) == expected
    if not typed.finite:
        return False
    epsilon = 0.0 if is_exact(dtype) else EPSILON.get(dtype, EPSILON["float32"])
    if tolerance.explicit:
        return within_bound(typed, expected, tolerance.bound(expected), 2.0**-52)
    if is_exact(dtype):
        return typed.fraction == Fraction(expected)
    return within_typed_precision(typed, expected, epsilon)


def _too_coarse(typed: TypedTensor, target: ExpectedTensor, digits: int) -> bool:
    """True when some element was typed with fewer than `digits` significant digits of the
    largest computed magnitude (and is not simply exact)."""
    # Typed magnitudes count too: 0.996 typed as "1.0" has two significant digits.
    finite = [abs(float(v)) for v in target.values if math.isfinite(float(v))]
    finite += [abs(float(t)) for t in typed.elements if t.finite]
    largest = max((v for v in finite if math.isfinite(v)), default=0.0)
    if largest == 0:
        return False
    required = Fraction(10) ** (math.floor(math.log10(largest)) - digits + 1)
    epsilon = EPSILON.get(target.dtype, EPSILON["float32"])
    return any(
        t.finite and t.unit > required and not is_exactly(t, float(e), epsilon)
        for t, e in zip(typed.elements, target.values, strict=True)
    )


def _index(flat: int, shape: tuple[int, ...]) -> str:
    position = []
    for size in reversed(shape):
        flat, rest = divmod(flat, size)
        position.append(rest)
    return format_shape(tuple(reversed(position))) if len(shape) != 1 else f"[{position[0]}]"


def preview(values: Any, limit: int = 160) -> str:
    """A short repr of computed values for a confirmation message."""
    return shorten(repr(values), limit)


def _matches(typed: TypedTensor, target: ExpectedTensor, tolerance: Tolerance) -> bool:
    return typed.shape == target.shape and all(
        _element_ok(t, e, target.dtype, tolerance)
        for t, e in zip(typed.elements, target.values, strict=True))


def tensor_form(target: ExpectedTensor) -> str:
    """"Type a tensor such as ..." with examples that are not the computed tensor."""
    examples = [text for text in TENSOR_EXAMPLES
                if not _matches(_example(text), target, Tolerance())]
    return _("Type a tensor such as {first} or {second}.").format(first=examples[0],
                                                                 second=examples[1])


def _example(text: str) -> TypedTensor:
    parsed = parse_tensor(text)
    assert isinstance(parsed, TypedTensor)
    return parsed


def grade_tensor(answer: str, expected: object, tolerance: Tolerance) -> Verdict:
    """Same shape, and every element right at the precision typed (dtype-aware)."""
    target = as_tensor(expected)
    typed = parse_tensor(answer)
    if isinstance(typed, str):
        return Verdict.unparseable(typed or tensor_form(target))
    parsed = typed.plain()
    if typed.dtype is not None and typed.dtype != target.dtype:
        return Verdict.wrong(_("You wrote dtype={dtype}; that is not the computed "
                               "dtype.").format(dtype=display(typed.dtype)), parsed)
    exact = is_exact(target.dtype) and not tolerance.explicit
    if len(typed.elements) == len(target.values) == 1:
        # A number and a 0-dim or one-element tensor are the same answer, both ways.
        typed = TypedTensor(typed.elements, target.shape, typed.dtype)
    if typed.shape != target.shape:
        flat = TypedTensor(typed.elements, target.shape)
        if len(typed.elements) == len(target.values) and _matches(flat, target, tolerance):
            return Verdict.wrong(_("Right numbers in the wrong shape: yours is {shape}.").format(
                shape=format_shape(typed.shape)), parsed)
        return Verdict.wrong(_("Your tensor has shape {shape}, which is not the computed "
                               "shape.").format(shape=format_shape(typed.shape)), parsed)
    how = (_("exactly, as whole numbers") if exact else
           _("within {tolerance}").format(tolerance=tolerance.describe())
           if tolerance.explicit else _("to the precision you typed"))
    wrong = [i for i, (t, e) in enumerate(zip(typed.elements, target.values, strict=True))
             if not _element_ok(t, e, target.dtype, tolerance)]
    if wrong:
        negated = all(
            _element_ok(typed.elements[i].negated(), target.values[i],
                        target.dtype, tolerance) for i in wrong)
        values = {"count": len(wrong), "total": len(target.values), "how": how}
        by_sign = negated and any(float(target.values[i]) != 0 for i in wrong)
        if target.shape:
            index = _index(wrong[0], target.shape)
            message = _("{count} of {total} values differ by a sign, the first at index "
                        "{index}.") if by_sign else \
                _("{count} of {total} values differ from the computed ones, the first at index "
                  "{index}, compared {how}.")
            return Verdict.wrong(message.format(index=index, **values), parsed)
        message = _("{count} of {total} values differ by a sign.") if by_sign else \
            _("{count} of {total} values differ from the computed ones, compared {how}.")
        return Verdict.wrong(message.format(**values), parsed)
    if not exact and not tolerance.explicit and _too_coarse(typed, target, tolerance.digits):
        return Verdict.wrong(_("The values agree as far as you typed them; type each to at "
                               "least {digits} significant digits of the largest value.").format(
                                   digits=tolerance.digits), parsed)
    computed = _nest(list(target.values), target.shape) if target.shape else target.values[0]
    return Verdict.right(_("Correct: shape {shape}, {dtype}, {values}, compared {how}.").format(
        shape=format_shape(target.shape), dtype=display(target.dtype), values=preview(computed),
        how=how), parsed)

