"""Numbers a lesson shows beside a quiz, in its text and in the prose of its step; approximate
ones ("about −0.0898", "≈ 77 MB") are marked.

The lesson parser collects them with `numbers_in`; the grader reads them back with `parse_shown`
to accept an answer at the precision the lesson itself uses (docs/grading.md, "The precision
the lesson shows").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .normalize import normalize_typed
from .number_reading import parse_number
from .typed_number import TypedNumber

#: Signs and words that mark a shown number as approximate: "≈ 77 MB", "about −0.0898".
APPROXIMATE_SIGNS = ("≈", "~")
APPROXIMATE_WORDS = ("about", "approximately", "approx.", "roughly", "around", "nearly",
                     "takriban", "takribani", "karibu")  # the Kiswahili lessons' "about"

_APPROXIMATE = "|".join(map(re.escape, APPROXIMATE_SIGNS)) + r"|\b(?:" + "|".join(
    map(re.escape, APPROXIMATE_WORDS)) + ")"
_SHOWN = re.compile(
    rf"(?P<approx>(?:{_APPROXIMATE})\s*)?"
    r"(?<![\w.])(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[+-]?\d+)?)"
    r"(?:\s*(?P<unit>[KkMGT]i?B|B|bytes|[kM]|million|billion)\b)?(?![\w.]*\w)",
    re.ASCII | re.IGNORECASE,
)


#: Marks an approximate number in the parser's list ("~-0.0898").
APPROXIMATE_MARK = "~"


@dataclass(frozen=True)
class Shown:
    """One number shown by the lesson: as written, parsed, and whether marked approximate."""

    text: str
    value: TypedNumber
    approximate: bool


def numbers_in(text: str) -> tuple[str, ...]:
    """Every number written in `text`, with its unit; approximate ones marked: "~-0.0898"."""
    found = []
    for match in _SHOWN.finditer(normalize_typed(text)):
        number = match["number"] + (f" {match['unit']}" if match["unit"] else "")
        found.append(f"{APPROXIMATE_MARK if match['approx'] else ''}{number}")
    return tuple(dict.fromkeys(found))


def parse_shown(items: Iterable[str]) -> list[Shown]:
    """The numbers collected by `numbers_in`, parsed; unreadable ones are skipped."""
    shown = []
    for item in items:
        approximate = item.startswith(APPROXIMATE_MARK)
        text = item.removeprefix(APPROXIMATE_MARK)
        value = parse_number(text)
        if value is None or value.boolean is not None or not value.finite:
            continue
        if approximate and value.exponent >= 0 and value.mantissa.as_tuple().digits[-1] == 0:
            # "about 10,000": trailing zeros of an approximate whole number are not precision.
            value = TypedNumber(value.mantissa.normalize(), value.scale)
        shown.append(Shown(("≈ " if approximate else "") + text, value, approximate))
    return shown
