"""The unit a question asks its answer in ("how many gigabytes"): an amount typed in that unit,
or in another unit of bytes, is read in the question's unit (`112 GB` is 112 when the question
asks for gigabytes; `104.3 GiB` is 112.0 too), and only in it: `112 bytes` is not 112
gigabytes."""

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


#: A question that asks for a number of bytes as such ("how many bytes ... (about 77 MB)").
_BYTES_ASKED = re.compile(r"\b(?:how many bytes|in bytes|number of bytes|baiti ngapi|kwa baiti|"
                          r"idadi ya baiti)\b", re.IGNORECASE)


def asks_bytes(ask: str) -> bool:
    """Whether the question `ask` asks for a number of bytes itself."""
    return bool(_BYTES_ASKED.search(ask))


def _amount_of_bytes(typed: TypedNumber) -> bool:
    """An amount typed with a unit of bytes (`5 B` read as 5 bytes, not 5 billion)."""
    return typed.exact is None and typed.suffix in BYTE_UNITS and (
        typed.suffix != "b" or typed.scale == 1)


def in_asked_units(options: list[TypedNumber], units: tuple[str, ...], *,
                   bytes_asked: bool = False) -> list[TypedNumber]:
    """`options`, each typed amount of bytes read in each asked unit instead of as a number of
    bytes: when the question asks for gigabytes, `112 bytes` is 112 bytes, never 112 (gigabytes).
    When the question asks for a number of bytes as such (`bytes_asked`, asks_bytes), the units
    it names are only words beside it ("about 77 MB"): `77194752 MB` is not 77194752 bytes."""
    if not units or bytes_asked:
        return options
    into = units
    converted = []
    for unit in into:
        for typed in options:
            if _amount_of_bytes(typed):
                scale = Fraction(BYTE_UNITS[typed.suffix], BYTE_UNITS[unit])
                converted.append(TypedNumber(typed.mantissa, scale, suffix=unit))
    return [*(typed for typed in options if not _amount_of_bytes(typed)), *converted]
