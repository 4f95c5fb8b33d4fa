"""Judging a typed number at the precision the learner typed, or the precision the lesson shows."""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from decimal import Context, Decimal, localcontext
from fractions import Fraction

from tutor.i18n import _, ngettext

from .number_reading import parse_number
from .shown import Shown
from .tolerance import DEFAULT_DIGITS, Tolerance, compact
from .typed_number import MAX_EXPONENT, TypedNumber
from .verdict import Verdict

#: Units of the computed dtype's precision that computing a value leaves in it (float32's
#: exp(ln 50257) is 50257.016): an exact expression typed (`exp(ln(50257))`, `-4/5`) is right
#: within them, about torch.testing's float32 tolerance.
ROUNDING_ULPS = 16
#: Form examples; those near the computed value are skipped so an example never hints.
NUMBER_EXAMPLES = ("-1.25", "3.5e-3", "1,000,000", "0.75", "-42", "2.5e4")


def number_form(expected: float | int | None = None) -> str:
    """"Type a number such as ..." with examples far from `expected`."""
    examples = []
    for example in NUMBER_EXAMPLES:
        typed = parse_number(example)
        assert typed is not None
        value = float(typed)
        near = expected is not None and math.isfinite(expected) and (
            abs(abs(value) - abs(expected)) <= 0.5 * abs(expected))
        if not near:
            examples.append(example)
    return _("Type a number such as {first}, {second} or {third}.").format(
        first=examples[0], second=examples[1], third=examples[2])


def half_unit_text(unit: Fraction) -> str:
    """Half of `unit`, short and readable: "0.00005", "500,000", "5e-9"."""
    half = unit / 2
    if half.denominator == 1 and half < 10**12:
        return f"{int(half):,}"
    with localcontext(Context(prec=28)):
        value = Decimal(half.numerator) / Decimal(half.denominator)
    if Fraction(1, 10**4) <= half < 10**12 and len(value.normalize().as_tuple().digits) <= 3:
        return f"{value.normalize():f}"
    return compact(value)  # a Decimal: 5e-401 is neither 0 nor a float overflow


def float32_text(value: float) -> str | None:
    """The shortest decimal that is the same float32 as `value`, when `value` is a float32
    (0.6000000238418579 is float32's 0.6: "0.6"); None for other floats."""
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except (OverflowError, struct.error):
        return None
    if single != value or not math.isfinite(value):
        return None
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == value:
            return repr(float(text))
    return None


def show(value: float | int, dtype: str | None = None) -> str:
    """A computed value in full: grouped if a big integer (past 10^40, ≈ and 6 digits); a
    float32 (a plain float from `.item()`, or a float32 tensor) as the shortest decimal that is
    that float32, without the noise of its float64 expansion; other floats to 10 significant
    digits (`math.log(25)` reads 3.218875825, not 3.2188758248682006)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return f"≈{Decimal(value):.6g}"  # a learner's 2**2000: not 800 digits in a sentence
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}"
    if isinstance(value, float) and dtype in (None, "float32"):
        return float32_text(value) or _ten_digits(value)
    return _ten_digits(value) if isinstance(value, float) else repr(value)


def _ten_digits(value: float) -> str:
    """A float to at most 10 significant digits, as repr writes it otherwise (`1e-05`, `inf`)."""
    return repr(float(f"{value:.10g}"))


def _off(typed: TypedNumber, expected: float) -> Fraction:
    return abs(typed.fraction - Fraction(expected))


def within_typed_precision(typed: TypedNumber, expected: float, epsilon: float) -> bool:
    """|typed - expected| <= half a unit in the last typed place + epsilon·|expected|."""
    return _off(typed, expected) <= typed.unit / 2 + abs(Fraction(expected)) * Fraction(epsilon)


def within_bound(typed: TypedNumber, expected: float, bound: float, epsilon: float) -> bool:
    """|typed - expected| <= bound + epsilon·|expected| (an abs/rel tolerance)."""
    return _off(typed, expected) <= Fraction(bound) + abs(Fraction(expected)) * Fraction(epsilon)


def is_exactly(typed: TypedNumber, expected: float, epsilon: float) -> bool:
    """True when the typed number is the expected one up to its representation precision."""
    return _off(typed, expected) <= abs(Fraction(expected)) * Fraction(epsilon)


def same_magnitude_other_power(typed: TypedNumber, expected: float, epsilon: float) -> bool:
    """True when the typed digits are right but the decimal point is shifted (10^k, k != 0)."""
    if not typed.finite or typed.fraction == 0 or expected == 0 or not math.isfinite(expected):
        return False
    shift = round(math.log10(abs(expected)) - typed.magnitude)
    for k in (shift - 1, shift, shift + 1):
        if k != 0 and abs(k) <= MAX_EXPONENT and within_typed_precision(
                typed.shifted(k), expected, epsilon):
            return True
    return False


def as_shown(typed: TypedNumber, expected: float, epsilon: float, shown: Sequence[Shown],
             floor: int) -> Shown | None:
    """The number the lesson shows that makes `typed` right, if any (docs/grading.md, "The
    precision the lesson shows"), `typed` having at least `floor` significant digits:

    - a shown number that is the computed value to its own precision, typed as shown (`77 MB`
      for 77,194,752 bytes), or, when shown as approximate, rounded (`≈ −1.885` for −1.88452,
      typed `-1.89`); or
    - an approximate shown number within a factor of ten of the computed value, whose relative
      precision carries over to values worked out from it (3 × `about −0.0898` = −0.2694 for
      −0.26948).
    """
    if typed.digits < floor or not typed.finite or not math.isfinite(expected) or expected == 0:
        return None
    for number in shown:
        faithful = within_typed_precision(number.value, expected, epsilon)
        as_precise = typed.unit == number.value.unit or (
            number.approximate and typed.unit >= number.value.unit)
        if faithful and as_precise and _off(typed, float(number.value)) <= typed.unit / 2:
            return number
    for number in shown:
        value = abs(number.value.fraction)
        if not number.approximate or value == 0 or not (
                Fraction(1, 10) <= value / abs(Fraction(expected)) <= 10):
            continue
        relative = number.value.unit / 2 / value
        if _off(typed, expected) <= abs(Fraction(expected)) * (relative + Fraction(epsilon)):
            return number
    return None


def judge_number(typed: TypedNumber, expected: bool | int | float, tolerance: Tolerance,
                 epsilon: float, shown: Sequence[Shown] = (), dtype: str | None = None
                 ) -> Verdict:
    """Judge a parsed number against a computed one; `epsilon` is the value's own precision,
    `dtype` the computed tensor's (None for a plain Python number)."""
    parsed = typed.plain()
    if isinstance(expected, bool):
        if typed.boolean is None and (not typed.finite or typed.fraction not in (0, 1)):
            return Verdict.unparseable(_("Type True or False."))
        if bool(typed.fraction) == expected:
            return Verdict.right(_("Correct: {value}.").format(value=expected),
                                 bool(typed.fraction))
        return Verdict.wrong(_("Not the computed truth value."), bool(typed.fraction))
    if typed.boolean is not None:
        return Verdict.unparseable(number_form(expected))
    if not math.isfinite(expected):
        return _judge_non_finite(typed, expected)
    if not typed.finite:
        return Verdict.wrong(_("The computed value is a finite number; yours is not."), parsed)
    computed = show(expected, dtype)
    if isinstance(expected, int) and typed.fraction == expected:
        return Verdict.right(_("Correct: {computed}, exactly.").format(computed=computed),
                             parsed)
    if not (tolerance.explicit or isinstance(expected, int)) and is_exactly(
            typed, expected, epsilon * (ROUNDING_ULPS if typed.exact is not None else 1)):
        return Verdict.right(_("Correct: {value}.").format(value=computed), parsed)

    floor = DEFAULT_DIGITS if tolerance.explicit else tolerance.digits
    lesson = as_shown(typed, expected, epsilon, shown, floor)
    if lesson is not None:
        return Verdict.right(_("Correct: computed {computed}; yours agrees with it to the "
                               "precision the lesson shows ({shown}).").format(
                                   computed=computed, shown=lesson.text), parsed)
    if tolerance.explicit:
        # The quiz's bound rules; the slack only absorbs float64 representation (repr(x)).
        if within_bound(typed, expected, tolerance.bound(expected), 2.0**-52):
            return Verdict.right(_("Correct: computed {computed}; yours is within "
                                   "{tolerance}.").format(computed=computed,
                                                          tolerance=tolerance.describe()),
                                 parsed)
        return _wrong_number(typed, expected, epsilon,
                             _("within {tolerance}").format(tolerance=tolerance.describe()),
                             by_digits=False)
    if isinstance(expected, int):
        if within_typed_precision(typed, expected, 0.0):
            return Verdict.wrong(_("Right as far as it goes, but this is an exact whole "
                                   "number: type every digit."), parsed, counted=False)
        return _wrong_number(typed, expected, 0.0, _("exactly, as a whole number"), whole=True)
    if typed.exact is not None:
        return _wrong_number(typed, expected, epsilon, _("exactly, as the value typed"))
    if typed.fraction == 0:
        # Zero has no significant digits: it can only be right when the value is zero.
        return Verdict.wrong(_("Not zero: type the value with at least {digits} significant "
                               "digits.").format(digits=tolerance.digits), parsed)
    if within_typed_precision(typed, expected, epsilon):
        if typed.digits >= tolerance.digits:
            return Verdict.right(_("Correct: computed {computed}; yours matches it to the "
                                   "{digits} you typed.").format(computed=computed,
                                                                 digits=_digits_note(typed)),
                                 parsed)
        return Verdict.wrong(_("Right as far as it goes, but type at least {digits} "
                               "significant digits.").format(digits=tolerance.digits),
                             parsed, counted=False)
    return _wrong_number(typed, expected, epsilon,
                         _("to the {digits} you typed").format(digits=_digits_note(typed)))


def _digits_note(typed: TypedNumber) -> str:
    return ngettext("{count} significant digit (±{half})", "{count} significant digits (±{half})",
                    typed.digits).format(count=typed.digits, half=half_unit_text(typed.unit))


def _judge_non_finite(typed: TypedNumber, expected: float) -> Verdict:
    parsed = typed.plain()
    if math.isnan(expected):
        if typed.is_nan:
            return Verdict.right(_("Correct: nan (not a number)."), parsed)
        return Verdict.wrong(_("The computed value is nan (not a number); yours is a number."),
                             parsed)
    if typed.is_infinite and float(typed) == expected:
        return Verdict.right(_("Correct: {value}.").format(value=expected), parsed)
    if typed.is_infinite:
        return Verdict.wrong(_("Infinite, but with the wrong sign."), parsed)
    return Verdict.wrong(_("The computed value is infinite; yours is a finite number."), parsed)


def off_by(got: Fraction, expected: int) -> str | None:
    """"Off by N" for a whole number close to an exact computed one (within a tenth of it, or
    2), else None: an exact count is never "right to 1 significant digit"."""
    difference = got - expected
    if difference == 0 or difference.denominator != 1 or abs(difference) > max(
            Fraction(2), abs(Fraction(expected)) / 10):
        return None
    if difference > 0:
        return _("Off by {count}: yours is {count} more than the computed whole number.").format(
            count=f"{int(difference):,}")
    return _("Off by {count}: yours is {count} less than the computed whole number.").format(
        count=f"{int(-difference):,}")


def _wrong_number(typed: TypedNumber, expected: float, epsilon: float, compared: str, *,
                  by_digits: bool = True, whole: bool = False) -> Verdict:
    """Say why a number is wrong without saying what is right. For a `whole` (exact) computed
    number, say how far off a whole number is instead of how many digits are right."""
    parsed = typed.plain()
    if typed.fraction != 0 and expected != 0 and within_typed_precision(
            typed.negated(), expected, epsilon):
        return Verdict.wrong(_("Off by a sign: the size matches, the sign does not."), parsed)
    if whole and isinstance(expected, int):
        close = off_by(typed.fraction, expected)
        if close:
            return Verdict.wrong(close, parsed)
        by_digits = False
    if by_digits and typed.exact is None:
        for digits in range(min(typed.digits - 1, 20), 0, -1):
            if within_typed_precision(typed.rounded(digits), expected, epsilon):
                return Verdict.wrong(ngettext(
                    "Close: right to {digits} significant digit; digit {next} is off.",
                    "Close: right to {digits} significant digits; digit {next} is off.",
                    digits).format(digits=digits, next=digits + 1), parsed)
    if same_magnitude_other_power(typed, expected, epsilon):
        return Verdict.wrong(_("The digits match but the decimal point is off (a power of "
                               "ten)."), parsed)
    # A typed zero is neither twice nor half of anything, however few digits it has.
    factors = typed.fraction != 0 and expected != 0
    if factors and within_typed_precision(typed, expected * 2.0, epsilon):
        return Verdict.wrong(_("Yours is twice the computed value."), parsed)
    if factors and within_typed_precision(typed, expected * 0.5, epsilon):
        return Verdict.wrong(_("Yours is half the computed value."), parsed)
    return Verdict.wrong(_("Not the computed value, compared {compared}.").format(
        compared=compared), parsed)

