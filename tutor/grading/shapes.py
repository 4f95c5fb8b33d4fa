"""Shapes typed as (2, 3), [2, 3], 2x3, 2 by 3, torch.Size([2, 3]), 5, () or "scalar"; sizes
between commas may be arithmetic: (8*1024, 50257)."""

from __future__ import annotations

import math
import re

from tutor.i18n import _, ngettext

from .expected import ExpectedValueError
from .normalize import normalize_typed
from .verdict import Verdict

#: Form examples; the computed shape itself is never used as one.
SHAPE_EXAMPLES = ((2, 3), (4, 5))
MAX_RANK = 64

_SCALAR_WORDS = {"scalar", "rank 0", "rank-0", "0-d", "0d", "0-dim"}
_SIZE_CALL = re.compile(r"(?:torch\.)?size\s*\((?P<inner>.*)\)")
_CLOSING = {"(": ")", "[": "]"}
_SEPARATOR = re.compile(r"\s*(?:x|×|\*|by)\s*|\s+")
_DIMENSION = re.compile(r"\d{1,18}", re.ASCII)
_CROSS = re.compile(r"\d\s*(?:x|×|\*|by)\s*\d")
_GROUPING = re.compile(r"(?<=\d)[,_](?=\d{3}(?:\D|$))")
#: Digit grouping that a shape never uses as a separator: `50_257`, and a comma without a space
#: after it where the other commas have one: `(8192, 50,257)` is (8192, 50257).
_UNDERSCORE = re.compile(r"(?<=\d)_(?=\d{3}(?:\D|$))")
_TIGHT_COMMA = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


def parse_shape(text: str) -> tuple[int, ...] | None:
    """The shape in `text` as a tuple of sizes, or None."""
    # The full stop of a sentence ("(2, 3).") is not part of the shape; a comma is ("5,").
    text = normalize_typed(text).casefold().strip("`'\" ").rstrip(".!?;: ").strip("`'\" ")
    if not text:
        return None
    if text in _SCALAR_WORDS:
        return ()
    call = _SIZE_CALL.fullmatch(text)
    if call:
        text = call["inner"].strip()
    for _round in range(2):
        if text[:1] in _CLOSING and text[-1:] == _CLOSING[text[:1]]:
            text = text[1:-1].strip()
    if not text:
        return ()
    text = _UNDERSCORE.sub("", text)
    if ", " in text:
        text = _TIGHT_COMMA.sub("", text)
    if _CROSS.search(text):
        # "2x4x50,257": sizes between crosses may group their digits in threes.
        parts = [_GROUPING.sub("", part) for part in _SEPARATOR.split(text)]
    elif "," in text:
        parts = text.split(",")
        if not parts[-1].strip():
            parts.pop()
    else:
        parts = _SEPARATOR.split(text)
    parts = [part.strip() for part in parts]
    if len(parts) > MAX_RANK or not all(_DIMENSION.fullmatch(part) for part in parts):
        return _with_arithmetic(text) if "," in text else None
    return tuple(int(part) for part in parts)


def _with_arithmetic(text: str) -> tuple[int, ...] | None:
    """Sizes between commas written as arithmetic: `(8*1024, 50257)` is (8192, 50257)."""
    from .expressions import evaluate

    parts = text.split(",")
    if not parts[-1].strip():
        parts.pop()
    sizes = []
    for part in parts[:MAX_RANK + 1]:
        part = part.strip()
        if _DIMENSION.fullmatch(part):
            sizes.append(int(part))
            continue
        value = evaluate(part)
        if value is None or not value.finite or value.fraction.denominator != 1 or \
                not 0 <= value.fraction < 10**18:
            return None
        sizes.append(int(value.fraction))
    return tuple(sizes) if len(sizes) <= MAX_RANK else None


def shape_form(expected: tuple[int, ...]) -> str:
    """"Type a shape such as ..." with an example that is not the computed shape."""
    example = next(shape for shape in SHAPE_EXAMPLES if shape != expected)
    sizes = ", ".join(map(str, example))
    rank0 = _("(5,) for one dimension") if expected == () else _("() for a scalar")
    return _("Type a shape such as {first}, {second} or {third}; {rank0}.").format(
        first=format_shape(example), second="x".join(map(str, example)),
        third=f"torch.Size([{sizes}])", rank0=rank0)


def format_shape(shape: tuple[int, ...] | list[int]) -> str:
    """Python's spelling of a shape: (2, 3), (5,) or ()."""
    return repr(tuple(shape))


def as_shape(expected: object) -> tuple[int, ...]:
    """A computed shape: a list of ints (the runner's encoding of torch.Size or a tuple)."""
    if isinstance(expected, list | tuple) and all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in expected
    ):
        return tuple(expected)
    raise ExpectedValueError("a shape quiz's answer must give a shape such as x.shape, not "
                             f"{expected!r:.80}")


def grade_shape(answer: str, expected: object) -> Verdict:
    """Exact comparison of sizes; feedback on rank, order and element count."""
    target = as_shape(expected)
    typed = parse_shape(answer)
    if typed is None:
        return Verdict.unparseable(shape_form(target))
    shown = format_shape(typed)
    if typed == target:
        return Verdict.right(_("Correct: {value}.").format(value=format_shape(target)), typed)
    if len(typed) != len(target):
        return Verdict.wrong(ngettext(
            "{shape} has {count} dimension; the computed shape has a different number of "
            "dimensions.",
            "{shape} has {count} dimensions; the computed shape has a different number of "
            "dimensions.", len(typed)).format(shape=shown, count=len(typed)), typed)
    if sorted(typed) == sorted(target):
        return Verdict.wrong(_("{shape} has the right sizes in the wrong order.").format(
            shape=shown), typed)
    differ = [str(i) for i, (a, b) in enumerate(zip(typed, target, strict=True)) if a != b]
    which = _("dimension {numbers}").format(numbers=", ".join(differ)) \
        if len(differ) < len(typed) else _("every dimension")
    if math.prod(typed) == math.prod(target):
        return Verdict.wrong(_("Right number of dimensions, but the size differs in {which} "
                               "(the number of elements is right).").format(which=which), typed)
    return Verdict.wrong(_("Right number of dimensions, but the size differs in {which}.").format(
        which=which), typed)

