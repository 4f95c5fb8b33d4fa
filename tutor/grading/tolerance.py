"""A quiz's tolerance (`digits`, `abs` or `rel`) and the dtype-aware defaults for tensors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DIGITS = 2


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
            parts.append(f"±{self.absolute:g}")
        if self.relative is not None:
            parts.append(f"{self.relative * 100:g}% relative")
        return " or ".join(parts)


def parse_tolerance(mapping: Mapping[str, object] | None) -> Tolerance:
    """The quiz's YAML mapping as a Tolerance; ValueError names what is wrong with it."""
    if not mapping:
        return Tolerance()
    unknown = set(mapping) - {"digits", "abs", "rel"}
    if unknown:
        raise ValueError(f"unknown tolerance key(s) {sorted(unknown)}; use digits, abs or rel")
    if "digits" in mapping and len(mapping) > 1:
        raise ValueError("give tolerance as digits, or as abs/rel, not both")
    values: dict[str, float] = {}
    for key, value in mapping.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ValueError(f"tolerance {key!r} must be a number >= 0, not {value!r}")
        values[key] = float(value)
    if "digits" in values:
        digits = values["digits"]
        if digits != int(digits) or digits < 1:
            raise ValueError(f"tolerance 'digits' must be a whole number >= 1, not {digits!r}")
        return Tolerance(digits=int(digits))
    return Tolerance(absolute=values.get("abs"), relative=values.get("rel"))
