"""Numbers as learners type them, parsed (never evaluated) with the precision they were typed to.

Read: `-0.0898`, `−8.98e-2`, `-8.98×10⁻²`, `124,412,160`, `124M`, `77 MB`, `73.6 MiB`, `99%`,
`10/9`, `nan`, `True`, and simple arithmetic (`50257*768`, `2^2`, `ln(25)`: tutor.grading.
expressions, evaluated by walking its syntax tree, never by eval). A unit or suffix scales the
number and its precision alike: `77 MB` is 77,000,000 typed to the nearest million, `99%` is
0.99 typed to the hundredth. What a reading holds is a tutor.grading.typed_number.TypedNumber.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .expressions import evaluate
from .normalize import normalize_typed
from .typed_number import MAX_EXPONENT, MAX_NUMBER_CHARS, UNITS, TypedNumber

#: Digits grouped in threes; the first group never starts with 0 ("0,287" is a decimal comma).
_GROUPED = r"[1-9]\d{0,2}(?P<sep>[,_ ])\d{3}(?:(?P=sep)\d{3})*"
_NUMBER = re.compile(
    rf"(?P<sign>[+-])?\s*(?P<mant>(?:{_GROUPED}|\d+)(?:\.\d*)?|\.\d+)"
    r"(?:\s*(?:e\s*(?P<e1>[+-]?\d+)|[x×*·⋅]\s*10\s*(?:\^|\*\*)\s*\(?\s*(?P<e2>[+-]?\d+)\s*\)?))?"
    r"(?:\s*(?P<unit>[a-z]+|%))?",
    re.ASCII,
)
_FRACTION = re.compile(r"(?P<sign>[+-])?\s*(?P<num>\d+(?:\.\d+)?)\s*/\s*(?P<den>\d+(?:\.\d+)?)",
                       re.ASCII)
_SPECIAL = re.compile(r"(?P<sign>[+-])?\s*(?P<word>nan|inf|infinity|∞)")
_BOOL = {"true": True, "false": False}
#: Words before a number that only say it is approximate: "about 3.2", "≈ 0.47", and in
#: Kiswahili "takriban 3.2", "karibu 0.47".
_APPROXIMATE = re.compile(r"^(?:[≈~]|about|approximately|approx\.?|roughly|around|nearly|"
                          r"circa|ca\.|takriban[i]?|karibu(?:\s+na)?)\s*")
#: Punctuation that ends a sentence, after the number.
_SENTENCE_END = re.compile(r"\s*[.!?;:,]+$")
#: A remark after the number: "3.22 (ln 25)", "0.47 i think".
_REMARK = re.compile(r"\s*\([^()]*\)\s*$")


def readings(text: str) -> list[TypedNumber]:
    """Every number `text` can mean (usually one; "5 B" is 5 bytes or 5 billion), or []."""
    text = normalize_typed(text).casefold()
    if len(text) > MAX_NUMBER_CHARS:
        return []
    text = _APPROXIMATE.sub("", text.strip()).strip()
    found = _readings(text)
    if not found and _SENTENCE_END.search(text):
        text = _SENTENCE_END.sub("", text)  # "3.22.", "112 GB.", "0.99?": the number, said
        found = _readings(text)
    if not found and _REMARK.search(text) and _REMARK.sub("", text):
        found = _readings(_REMARK.sub("", text))
    return found


def _readings(text: str) -> list[TypedNumber]:
    if text in _BOOL:
        return [TypedNumber(Decimal(int(_BOOL[text])), boolean=_BOOL[text])]
    special = _SPECIAL.fullmatch(text)
    if special:
        word = "nan" if special["word"] == "nan" else "infinity"
        return [TypedNumber(Decimal(f"{special['sign'] or ''}{word}"))]
    fraction = _FRACTION.fullmatch(text)
    if fraction:
        denominator = Fraction(fraction["den"])
        if denominator == 0:
            return []
        sign = -1 if fraction["sign"] == "-" else 1
        exact = sign * Fraction(fraction["num"]) / denominator
        return [TypedNumber(Decimal(float(exact)), exact=exact)]
    match = _NUMBER.fullmatch(text)
    if not match or (match["unit"] and match["unit"] not in UNITS):
        # Not a number with a unit we know: arithmetic, perhaps (`2pi`, `2 ln 25`).
        evaluated = evaluate(text)
        return [evaluated] if evaluated is not None else []
    scales = UNITS.get(match["unit"], ()) if match["unit"] else (1,)
    mantissa = re.sub(r"[,_ ]", "", match["mant"])
    exponent = int(match["e1"] or match["e2"] or 0)
    if abs(exponent) > MAX_EXPONENT:
        return []
    try:
        value = Decimal(f"{match['sign'] or ''}{mantissa}e{exponent}")
    except InvalidOperation:
        return []
    if abs(value.adjusted()) > MAX_EXPONENT:
        return []
    return [TypedNumber(value, scale, suffix=match["unit"] or "") for scale in scales]


def parse_number(text: str) -> TypedNumber | None:
    """The first reading of the number in `text`, or None."""
    found = readings(text)
    return found[0] if found else None


def closest(options: list[TypedNumber], expected: float) -> TypedNumber:
    """Of several readings, the one nearest `expected` in order of magnitude."""
    def distance(number: TypedNumber) -> float:
        value = abs(float(number))
        if value == 0 or expected == 0 or not math.isfinite(value) or not math.isfinite(expected):
            return 0.0
        return abs(math.log10(value) - math.log10(abs(expected)))

    return min(options, key=distance)
