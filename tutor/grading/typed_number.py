"""A number as a learner typed it: its value, the precision it was typed to and its unit, and
the units a typed number may carry (tutor.grading.number_reading reads the text).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

#: Typed exponents beyond this are refused (they would only build enormous exact fractions).
MAX_EXPONENT = 400
MAX_NUMBER_CHARS = 200
#: What an exact value (a typed fraction such as 10/9) counts as, in significant digits.
EXACT_DIGITS = 99

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
