"""Typed numbers: parsing (never eval) and judging them at the precision the learner typed."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from .normalize import normalize_typed
from .tolerance import Tolerance
from .verdict import Verdict

#: Typed exponents beyond this are refused (they would only build enormous exact fractions).
MAX_EXPONENT = 400
MAX_NUMBER_CHARS = 200
#: Form examples; those near the computed value are skipped so an example never hints.
NUMBER_EXAMPLES = ("-1.25", "3.5e-3", "1,000,000", "0.75", "-42", "2.5e4")

_GROUPED = r"\d{1,3}(?P<sep>[,_ ])\d{3}(?:(?P=sep)\d{3})*"
_NUMBER = re.compile(
    rf"(?P<sign>[+-])?\s*(?P<mant>(?:{_GROUPED}|\d+)(?:\.\d*)?|\.\d+)"
    r"(?:\s*(?:e\s*(?P<e1>[+-]?\d+)|[x×*·⋅]\s*10\s*(?:\^|\*\*)\s*\(?\s*(?P<e2>[+-]?\d+)\s*\)?))?",
    re.ASCII,
)
_SPECIAL = re.compile(r"(?P<sign>[+-])?\s*(?P<word>nan|inf|infinity|∞)")
_BOOL = {"true": True, "false": False}


@dataclass(frozen=True)
class TypedNumber:
    """A number as typed: its exact decimal value and the precision it was typed with."""

    decimal: Decimal
    boolean: bool | None = None

    @property
    def finite(self) -> bool:
        return self.decimal.is_finite()

    @property
    def fraction(self) -> Fraction:
        """Exact value (finite numbers only)."""
        return Fraction(self.decimal)

    @property
    def exponent(self) -> int:
        """Power of ten of the last typed place: -4 for "-0.0898", 2 for "1.5e3"."""
        exponent = self.decimal.as_tuple().exponent
        return exponent if isinstance(exponent, int) else 0

    @property
    def unit(self) -> Fraction:
        """One unit in the last typed place."""
        return Fraction(10) ** self.exponent

    @property
    def digits(self) -> int:
        """Significant digits typed (leading zeros excluded; at least 1)."""
        typed = "".join(map(str, self.decimal.as_tuple().digits)).lstrip("0")
        return max(1, len(typed))

    def plain(self) -> bool | int | float:
        """The value as plain Python data, for display."""
        if self.boolean is not None:
            return self.boolean
        if self.finite and self.exponent >= 0:
            return int(self.decimal)
        return float(self.decimal)


def parse_number(text: str) -> TypedNumber | None:
    """The number in `text`, or None. Accepts grouping, Unicode minus, e and ×10^ exponents."""
    text = normalize_typed(text).casefold()
    if len(text) > MAX_NUMBER_CHARS:
        return None
    text = text.lstrip("≈~").strip()
    if text in _BOOL:
        return TypedNumber(Decimal(int(_BOOL[text])), boolean=_BOOL[text])
    special = _SPECIAL.fullmatch(text)
    if special:
        word = "nan" if special["word"] == "nan" else "infinity"
        return TypedNumber(Decimal(f"{special['sign'] or ''}{word}"))
    match = _NUMBER.fullmatch(text)
    if not match:
        return None
    mantissa = re.sub(r"[,_ ]", "", match["mant"])
    exponent = int(match["e1"] or match["e2"] or 0)
    if abs(exponent) > MAX_EXPONENT:
        return None
    try:
        value = Decimal(f"{match['sign'] or ''}{mantissa}e{exponent}")
    except InvalidOperation:
        return None
    if abs(value.adjusted()) > MAX_EXPONENT:
        return None
    return TypedNumber(value)


def number_form(expected: float | int | None = None) -> str:
    """"Type a number such as ..." with examples far from `expected`."""
    examples = []
    for example in NUMBER_EXAMPLES:
        typed = parse_number(example)
        assert typed is not None
        value = float(typed.decimal)
        near = expected is not None and math.isfinite(expected) and (
            abs(abs(value) - abs(expected)) <= 0.5 * abs(expected))
        if not near:
            examples.append(example)
    return f"Type a number such as {', '.join(examples[:2])} or {examples[2]}."


def half_unit_text(exponent: int) -> str:
    """Half a unit in the place 10**exponent, as a short decimal: "0.00005", "50", "5e-12"."""
    half = Decimal(5).scaleb(exponent - 1)
    return f"{half:f}" if -9 <= exponent <= 9 else f"{half:e}"


def show(value: float | int) -> str:
    """A computed value at full precision: shortest round-trip repr, grouped if a big integer."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}"
    return repr(value)


def within_typed_precision(typed: TypedNumber, expected: float, epsilon: float) -> bool:
    """|typed - expected| <= half a unit in the last typed place + epsilon·|expected|."""
    slack = typed.unit / 2 + abs(Fraction(expected)) * Fraction(epsilon)
    return abs(typed.fraction - Fraction(expected)) <= slack


def within_bound(typed: TypedNumber, expected: float, bound: float, epsilon: float) -> bool:
    """|typed - expected| <= bound + epsilon·|expected| (an abs/rel tolerance)."""
    slack = Fraction(bound) + abs(Fraction(expected)) * Fraction(epsilon)
    return abs(typed.fraction - Fraction(expected)) <= slack


def is_exactly(typed: TypedNumber, expected: float, epsilon: float) -> bool:
    """True when the typed number is the expected one up to its representation precision."""
    return abs(typed.fraction - Fraction(expected)) <= abs(Fraction(expected)) * Fraction(epsilon)


def rounded(typed: TypedNumber, digits: int) -> TypedNumber:
    """`typed` rounded to `digits` significant digits (for "right up to digit N" feedback)."""
    quantum = Decimal(1).scaleb(typed.decimal.adjusted() - digits + 1)
    return TypedNumber(typed.decimal.quantize(quantum))


def same_magnitude_other_power(typed: TypedNumber, expected: float, epsilon: float) -> bool:
    """True when the typed digits are right but the decimal point is shifted (10^k, k != 0)."""
    if typed.fraction == 0 or expected == 0 or not math.isfinite(expected):
        return False
    shift = round(math.log10(abs(expected))) - typed.decimal.adjusted()
    for k in (shift - 1, shift, shift + 1):
        if k != 0 and abs(k) <= MAX_EXPONENT:
            moved = TypedNumber(typed.decimal.scaleb(k))
            if within_typed_precision(moved, expected, epsilon):
                return True
    return False


def _digits_note(typed: TypedNumber) -> str:
    plural = "s" if typed.digits != 1 else ""
    return f"{typed.digits} significant digit{plural} (±{half_unit_text(typed.exponent)})"


def judge_number(
    typed: TypedNumber, expected: bool | int | float, tolerance: Tolerance, epsilon: float
) -> Verdict:
    """Judge a parsed number against a computed one; `epsilon` is the value's own precision."""
    parsed = typed.plain()
    if isinstance(expected, bool):
        if typed.boolean is None and typed.decimal not in (0, 1):
            return Verdict.unparseable("Type True or False.")
        if bool(typed.decimal) == expected:
            return Verdict.right(f"Correct: {expected}.", bool(typed.decimal))
        return Verdict.wrong("Not the computed truth value.", bool(typed.decimal))
    if typed.boolean is not None:
        return Verdict.unparseable(number_form(expected))
    if not math.isfinite(expected):
        return _judge_non_finite(typed, expected)
    if not typed.finite:
        return Verdict.wrong("The computed value is a finite number.", parsed)
    computed = show(expected)
    if tolerance.explicit:
        # The quiz's bound rules; the slack only absorbs float64 representation (repr(x)).
        if within_bound(typed, expected, tolerance.bound(expected), 2.0**-52):
            return Verdict.right(
                f"Correct: computed {computed}; yours is within {tolerance.describe()}.", parsed
            )
        return _wrong_number(typed, expected, epsilon, f"within {tolerance.describe()}",
                             by_digits=False)
    if isinstance(expected, int):
        if typed.fraction == expected:
            return Verdict.right(f"Correct: {computed}, exactly.", parsed)
        if within_typed_precision(typed, expected, 0.0):
            return Verdict.wrong("Close, but this is an exact whole number: type every digit.",
                                 parsed)
        return _wrong_number(typed, expected, 0.0, "exactly, as a whole number")
    if is_exactly(typed, expected, epsilon):
        return Verdict.right(f"Correct: {computed}.", parsed)
    if typed.decimal == 0:
        # Zero has no significant digits: it can only be right when the value is zero.
        return Verdict.wrong(f"Not zero: type the value with at least {tolerance.digits} "
                             "significant digits.", parsed)
    if within_typed_precision(typed, expected, epsilon):
        if typed.digits >= tolerance.digits:
            return Verdict.right(f"Correct: computed {computed}; yours matches it to the "
                                 f"{_digits_note(typed)} you typed.", parsed)
        return Verdict.wrong(f"Right as far as it goes, but type at least {tolerance.digits} "
                             f"significant digits.", parsed)
    return _wrong_number(typed, expected, epsilon, f"to the {_digits_note(typed)} you typed")


def _judge_non_finite(typed: TypedNumber, expected: float) -> Verdict:
    parsed = typed.plain()
    if math.isnan(expected):
        if typed.decimal.is_nan():
            return Verdict.right("Correct: nan (not a number).", parsed)
        return Verdict.wrong("Not the computed value.", parsed)
    if typed.decimal.is_infinite() and float(typed.decimal) == expected:
        return Verdict.right(f"Correct: {expected}.", parsed)
    if typed.decimal.is_infinite():
        return Verdict.wrong("Infinite, but with the wrong sign.", parsed)
    return Verdict.wrong("Not the computed value.", parsed)


def _wrong_number(
    typed: TypedNumber, expected: float, epsilon: float, compared: str, *, by_digits: bool = True
) -> Verdict:
    """Say why a number is wrong without saying what is right."""
    parsed = typed.plain()
    negated = TypedNumber(-typed.decimal)
    if typed.decimal != 0 and expected != 0 and within_typed_precision(negated, expected, epsilon):
        return Verdict.wrong("Off by a sign: the magnitude matches, the sign does not.", parsed)
    for digits in range(min(typed.digits - 1, 20) if by_digits else 0, 0, -1):
        if within_typed_precision(rounded(typed, digits), expected, epsilon):
            return Verdict.wrong(f"Close: it matches to {digits} significant "
                                 f"digit{'s' * (digits > 1)}, but not to the {typed.digits} "
                                 "you typed.", parsed)
    if by_digits and same_magnitude_other_power(typed, expected, epsilon):
        return Verdict.wrong("The digits match but the decimal point is off "
                             "(a power of ten).", parsed)
    return Verdict.wrong(f"Not the computed value (compared {compared}).", parsed)
