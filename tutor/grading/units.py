"""The unit a question asks its answer in ("how many gigabytes"): an amount typed in that unit,
or in another unit of bytes, is read in the question's unit (`112 GB` is 112 when the question
asks for gigabytes; `104.3 GiB` is 112.0 too)."""

from __future__ import annotations

import re
from fractions import Fraction

from .typed_number import BYTE_UNITS, TypedNumber

#: Words naming a unit of bytes, in the languages lessons are written in, by unit key.
_NAMES = {
    "kb": r"kilobytes?|kb|kilobaiti", "mb": r"megabytes?|mb|megabaiti",
    "gb": r"gigabytes?|gb|gigabaiti", "tb": r"terabytes?|tb|terabaiti",
    "kib": r"kibibytes?|kib", "mib": r"mebibytes?|mib", "gib": r"gibibytes?|gib",
    "tib": r"tebibytes?|tib",
}
_PATTERNS = {unit: re.compile(rf"\b(?:{names})\b", re.IGNORECASE) for unit, names in _NAMES.items()}


def asked_units(ask: str) -> tuple[str, ...]:
    """The units of bytes that the question `ask` names (unit keys of BYTE_UNITS)."""
    return tuple(unit for unit, pattern in _PATTERNS.items() if pattern.search(ask))


def in_asked_units(options: list[TypedNumber], units: tuple[str, ...]) -> list[TypedNumber]:
    """`options` and, for each typed amount of bytes, the same amount in each asked unit."""
    converted = []
    for unit in units:
        for typed in options:
            if typed.exact is None and typed.suffix in BYTE_UNITS and (
                    typed.suffix != "b" or typed.scale == 1):
                scale = Fraction(BYTE_UNITS[typed.suffix], BYTE_UNITS[unit])
                converted.append(TypedNumber(typed.mantissa, scale, suffix=unit))
    return [*options, *converted]
