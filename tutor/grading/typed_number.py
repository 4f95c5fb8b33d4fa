"""Numbers as learners type them, parsed (never evaluated) with the precision they were typed to.

Read: `-0.0898`, `−8.98e-2`, `-8.98×10⁻²`, `124,412,160`, `124M`, `77 MB`, `73.6 MiB`, `99%`,
`10/9`, `nan`, `True`, and simple arithmetic (`50257*768`, `2^2`, `ln(25)`: tutor.grading.
expressions, evaluated by walking its syntax tree, never by eval). A unit or suffix scales the
number and its precision alike: `77 MB` is 77,000,000 typed to the nearest million, `99%` is
0.99 typed to the hundredth.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .normalize import normalize_typed

#: Typed exponents beyond this are refused (they would only build enormous exact fractions).
MAX_EXPONENT = 400
MAX_NUMBER_CHARS = 200
#: What an exact value (a typed fraction such as 10/9) counts as, in significant digits.
EXACT_DIGITS = 99

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

#: Units and suffixes (case-folded) and what they multiply by. "b" is both bytes and billions.
UNITS: dict[str, tuple[int | Fraction, ...]] = {
    "%": (Fraction(1, 100),), "percent": (Fraction(1, 100),),
    "b": (1, 10**9), "byte": (1,), "bytes": (1,),
    "kb": (10**3,), "mb": (10**6,), "gb": (10**9,), "tb": (10**12,),
    "kilobytes": (10**3,), "megabytes": (10**6,), "gigabytes": (10**9,), "terabytes": (10**12,),
    "baiti": (1,), "kilobaiti": (10**3,), "megabaiti": (10**6,), "gigabaiti": (10**9,),
    "terabaiti": (10**12,),
    "kib": (2**10,), "mib": (2**20,), "gib": (2**30,), "tib": (2**40,),
    "k": (10**3,), "thousand": (10**3,), "m": (10**6,), "mn": (10**6,), "million": (10**6,),
    "bn": (10**9,), "billion": (10**9,),
}
#: The units of bytes, by what they multiply by: a question asked in one of them (tutor.grading.
#: units) reads a typed amount of bytes in that unit.
BYTE_UNITS: dict[str, int] = {
    "b": 1, "byte": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kilobytes": 10**3, "megabytes": 10**6, "gigabytes": 10**9, "terabytes": 10**12,
    "baiti": 1, "kilobaiti": 10**3, "megabaiti": 10**6, "gigabaiti": 10**9, "terabaiti": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
}
#: Words before a number that only say it is approximate: "about 3.2", "≈ 0.47", and in
#: Kiswahili "takriban 3.2", "karibu 0.47".
_APPROXIMATE = re.compile(r"^(?:[≈~]|about|approximately|approx\.?|roughly|around|nearly|"
                          r"circa|ca\.|takriban[i]?|karibu(?:\s+na)?)\s*")
#: Punctuation that ends a sentence, after the number.
_SENTENCE_END = re.compile(r"\s*[.!?;:,]+$")
#: A remark after the number: "3.22 (ln 25)", "0.47 i think".
_REMARK = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True)
class TypedNumber:
    """A number as typed: the digits written (`mantissa`), what a unit multiplies them by
    (`scale`), or an exact value (a fraction), and so the precision it was typed with."""

    mantissa: Decimal
    scale: int | Fraction = 1
    boolean: bool | None = None
    exact: Fraction | None = None
    """Set for a typed fraction (10/9): the value is exact, with no last typed place."""
    suffix: str = ""
    """The unit or suffix typed after the number, case-folded ("gb", "%"), if any."""

    @property
    def finite(self) -> bool:
        return self.exact is not None or self.mantissa.is_finite()

    @property
    def is_nan(self) -> bool:
        return self.exact is None and self.mantissa.is_nan()

    @property
    def is_infinite(self) -> bool:
        return self.exact is None and self.mantissa.is_infinite()

    @property
    def fraction(self) -> Fraction:
        """Exact value (finite numbers only)."""
        if self.exact is not None:
            return self.exact
        return Fraction(self.mantissa) * self.scale

    def __float__(self) -> float:
        """The value as a float: ±inf beyond float's range (up to 10^400 can be typed)."""
        if self.exact is not None:
            return _float(self.exact)
        return float(self.mantissa) * self.scale if self.finite else float(self.mantissa)

    @property
    def exponent(self) -> int:
        """Power of ten of the last typed digit: -4 for "-0.0898", 2 for "1.5e3"."""
        exponent = self.mantissa.as_tuple().exponent
        return exponent if isinstance(exponent, int) else 0

    @property
    def unit(self) -> Fraction:
        """One unit in the last typed place (0 for an exact value): 0.0001 for "-0.0898",
        1,000,000 for "77 MB"."""
        if self.exact is not None:
            return Fraction(0)
        return Fraction(10) ** self.exponent * self.scale

    @property
    def digits(self) -> int:
        """Significant digits typed (leading zeros excluded; at least 1)."""
        if self.exact is not None:
            return EXACT_DIGITS
        typed = "".join(map(str, self.mantissa.as_tuple().digits)).lstrip("0")
        return max(1, len(typed))

    @property
    def magnitude(self) -> float:
        """log10 of the size of a finite, non-zero value, without overflowing for huge ones."""
        if self.exact is not None:
            return math.log10(abs(self.exact.numerator)) - math.log10(self.exact.denominator)
        digits = self.mantissa.as_tuple().digits
        leading = float("0." + "".join(map(str, digits)).lstrip("0")[:15] or "0")
        return self.mantissa.adjusted() + 1 + math.log10(leading) + math.log10(self.scale)

    def negated(self) -> TypedNumber:
        exact = -self.exact if self.exact is not None else None
        return TypedNumber(-self.mantissa, self.scale, exact=exact)

    def shifted(self, power: int) -> TypedNumber:
        """The same digits with the decimal point moved by `power` places."""
        exact = self.exact * Fraction(10) ** power if self.exact is not None else None
        return TypedNumber(self.mantissa.scaleb(power), self.scale, exact=exact)

    def rounded(self, digits: int) -> TypedNumber:
        """Rounded to `digits` significant digits (an exact value is left as it is)."""
        if self.exact is not None:
            return self
        quantum = Decimal(1).scaleb(self.mantissa.adjusted() - digits + 1)
        return TypedNumber(self.mantissa.quantize(quantum), self.scale)

    def plain(self) -> bool | int | float:
        """The value as plain Python data, for display."""
        if self.boolean is not None:
            return self.boolean
        if not self.finite:
            return float(self.mantissa)
        value = self.fraction
        # "5.0" stays a float and "5" an int: the learner's own way of writing it.
        whole = self.exponent >= 0 if self.exact is None else True
        return int(value) if whole and value.denominator == 1 else _float(value)


def _float(value: Fraction) -> float:
    """`value` as a float, ±inf when it is beyond float's range."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


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
        from .expressions import evaluate

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
