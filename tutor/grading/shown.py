"""Approximate numbers a lesson shows beside a quiz ("about −0.0898", "≈ 77 MB") in its text
and in the prose of its step.

The lesson parser collects them with `numbers_in`; the grader reads them back with `parse_shown`
to accept an answer at the precision the lesson itself uses (docs/grading.md, "The precision
the lesson shows"). Exact numbers loosen nothing: the typed-precision rule already covers them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .normalize import normalize_typed
from .typed_number import TypedNumber, parse_number

#: Words and signs that mark a shown number as approximate: "about −0.0898", "≈ 77 MB".
APPROXIMATE = ("≈", "~", "about", "approximately", "approx.", "roughly", "around", "nearly")

_SHOWN = re.compile(
    r"(?:≈|~|\b(?:about|approximately|approx\.|roughly|around|nearly))\s*"
    r"(?<![\w.])(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[+-]?\d+)?)"
    r"(?:\s*(?P<unit>[KkMGT]i?B|B|bytes|[kM]|million|billion)\b)?(?![\w.]*\w)",
    re.ASCII | re.IGNORECASE,
)


@dataclass(frozen=True)
class Shown:
    """One approximate number shown by the lesson: as written, and parsed."""

    text: str
    value: TypedNumber


def numbers_in(text: str) -> tuple[str, ...]:
    """Every number `text` marks as approximate, with its unit: ("-0.0898", "77 MB")."""
    return tuple(match["number"] + (f" {match['unit']}" if match["unit"] else "")
                 for match in _SHOWN.finditer(normalize_typed(text)))


def parse_shown(items: Iterable[str]) -> list[Shown]:
    """The numbers collected by `numbers_in`, parsed; unreadable ones are skipped."""
    shown = []
    for text in items:
        value = parse_number(text)
        if value is None or value.boolean is not None or not value.finite:
            continue
        if value.mantissa % 10 == 0 and value.exponent >= 0:
            # "about 10,000": trailing zeros of an approximate whole number are not precision.
            value = TypedNumber(value.mantissa.normalize(), value.scale)
        shown.append(Shown(f"≈ {text}", value))
    return shown
