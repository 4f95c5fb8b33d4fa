"""A quiz's tolerance (`digits`, `abs` or `rel`) and the dtype-aware defaults for tensors."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tutor.i18n import _

DEFAULT_DIGITS = 2
#: More significant digits than a float64 holds cannot be asked for.
MAX_DIGITS = 17


@dataclass(frozen=True)
class Tolerance:
    """How close a typed answer must be: a minimum of significant digits, or abs/rel bounds."""

    digits: int = DEFAULT_DIGITS
    absolute: float | None = None
    relative: float | None = None

    @property
    def explicit(self) -> bool:
        """True when the quiz gave `abs` or `rel` (then typed precision does not matter)."""
        return self.absolute is not None or self.relative is not None

    def bound(self, expected: float) -> float:
        """The largest accepted distance from `expected` under `abs`/`rel`."""
        bounds = [b for b in (self.absolute,) if b is not None]
        if self.relative is not None:
            bounds.append(self.relative * abs(expected))
        return max(bounds, default=0.0)

    def describe(self) -> str:
        """The explicit bound in words, e.g. "±0.001" or "1% relative"."""
        parts = []
        if self.absolute is not None:
            parts.append(f"±{compact(self.absolute)}")
        if self.relative is not None:
            parts.append(_("{percent} relative").format(percent=f"{self.relative * 100:g}%"))
        return _(" or ").join(parts)


def compact(value: float | Decimal, digits: int = 3) -> str:
    """`value` to at most `digits` significant digits, an exponent written short: "5e-9"."""
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return text


def parse_tolerance(mapping: Mapping[str, object] | None) -> Tolerance:
    """The quiz's YAML mapping as a Tolerance; ValueError names what is wrong with it.

    The one rule, used by the lesson parser and the grader alike: exactly one of `digits` (a
    whole number from 1 to 17), `abs` or `rel` (a finite number above 0).
    """
    if not mapping:
        return Tolerance()
    unknown = sorted(str(key) for key in set(mapping) - {"digits", "abs", "rel"})
    if unknown:
        raise ValueError(_("unknown tolerance key(s) {keys}; use digits, abs or rel").format(
            keys=unknown))
    if len(mapping) > 1:
        raise ValueError(_("give one of digits, abs or rel, not several"))
    ((key, value),) = mapping.items()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(_("'{key}' must be a number, not {value!r}").format(key=key, value=value))
    if key == "digits":
        if not isinstance(value, int) or not 1 <= value <= MAX_DIGITS:
            raise ValueError(_("'digits' must be a whole number from 1 to {most} (significant "
                               "digits), not {value!r}").format(most=MAX_DIGITS, value=value))
        return Tolerance(digits=value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(_("'{key}' must be a finite number above 0, not {value!r}").format(
            key=key, value=value))
    if key == "abs":
        return Tolerance(absolute=float(value))
    return Tolerance(relative=float(value))
