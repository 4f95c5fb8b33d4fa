"""How close a computed value and a learner's must be, and the words for a common factor
between them (docs/grading.md, "code"): torch.testing's tolerance for the computed dtype, its
floor scaled by the largest computed magnitude, never a fixed absolute floor."""

from __future__ import annotations

import math
from typing import Any

from tutor.i18n import _

from .tolerance import Tolerance, compact

#: torch.testing.assert_close's default (rtol, atol) per dtype.
DTYPE_TOLERANCE = {
    "float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
    "float8_e4m3fn": (0.125, 1e-3), "float8_e4m3fnuz": (0.125, 1e-3),
    "float8_e5m2": (0.25, 1e-3), "float8_e5m2fnuz": (0.25, 1e-3), "float8_e8m0fnu": (1.0, 1e-3),
}


class Bounds:
    """How close two floating values must be: |got - expected| <= rtol·|expected| + floor·scale,
    `scale` being the largest magnitude among the computed values (so the floor shrinks with
    small tensors), or the quiz's own abs/rel."""

    def __init__(self, tolerance: Tolerance, rtol: float, floor: float, scale: float) -> None:
        self.tolerance, self.rtol, self.floor, self.scale = tolerance, rtol, floor, scale

    @classmethod
    def for_dtype(cls, tolerance: Tolerance, dtype: str, scale: float) -> Bounds:
        """torch.testing's rtol for `dtype`, and the larger of its rtol and atol as the floor."""
        rtol, atol = DTYPE_TOLERANCE.get(dtype, DTYPE_TOLERANCE["float32"])
        return cls(tolerance, rtol, max(rtol, atol), scale)

    def scaled(self, factor: float) -> Bounds:
        return Bounds(self.tolerance, self.rtol, self.floor, self.scale * abs(factor))

    def close_values(self, got: Any, expected: Any) -> bool:
        """`close` for the runner's numbers: an int beyond a float's range (a learner's
        `2**2000`) is close only to itself, never to inf."""
        if _beyond_float(got) or _beyond_float(expected):
            return bool(got == expected)
        return self.close(float(got), float(expected))

    def close(self, got: float, expected: float) -> bool:
        if math.isnan(expected) or math.isnan(got):
            return math.isnan(expected) and math.isnan(got)
        if math.isinf(expected) or math.isinf(got):
            return got == expected
        if self.tolerance.explicit:
            return abs(got - expected) <= self.tolerance.bound(expected) + 2.0**-52 * abs(expected)
        return abs(got - expected) <= self.rtol * abs(expected) + self.floor * self.scale

    def describe(self) -> str:
        if self.tolerance.explicit:
            return _("within {tolerance}").format(tolerance=self.tolerance.describe())
        return _("to about {digits} significant digits").format(
            digits=round(-math.log10(self.floor)))


def _beyond_float(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**1023


def real(value: Any) -> float:
    """`value` (an int, float or bool) as a float; an int beyond float's range (a learner's
    `2**2000`) as ±inf instead of OverflowError."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def scale_of(values: tuple[Any, ...]) -> float:
    finite = [abs(real(v)) for v in values if math.isfinite(real(v))]
    return max(finite, default=0.0)


def common_factor(got: tuple[Any, ...], expected: tuple[Any, ...], bounds: Bounds
                  ) -> str | None:
    """Words for a common factor between got and expected: a sign, a power of ten, 2 or 1/2."""
    pairs = [(real(g), real(e)) for g, e in zip(got, expected, strict=True)]
    if not all(math.isfinite(g) and math.isfinite(e) for g, e in pairs):
        return None
    big_got, big = max(pairs, key=lambda pair: abs(pair[1]))
    if big == 0 or big_got == 0:
        return None
    ratio = big_got / big
    candidates = [(-1.0, _("off by a sign")), (2.0, _("exactly twice the computed one")),
                  (0.5, _("exactly half the computed one"))]
    power = round(math.log10(abs(ratio)))
    if power != 0 and abs(power) <= 12:
        words = _("off by a power of ten ({factor} times the computed one)") if ratio > 0 else \
            _("off by a power of ten (minus {factor} times the computed one)")
        candidates.append((math.copysign(10.0**power, ratio),
                           words.format(factor=f"10^{power}")))
    if sum(1 for _, e in pairs if e != 0) >= 2 and 0.01 <= abs(ratio) <= 100 and not (
            0.9 <= abs(ratio) <= 1.1):
        # Every value the same multiple of the computed one (a forgotten scale such as 1/√d).
        candidates.append((ratio, _("the computed one times {factor} throughout").format(
            factor=compact(ratio))))
    for factor, words in candidates:
        scaled = bounds.scaled(factor)
        if all(scaled.close(g, e * factor) for g, e in pairs):
            return words
    return None
