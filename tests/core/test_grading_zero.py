"""A typed zero has no significant digits: right only when the computed value is zero."""

from __future__ import annotations

import pytest

from tutor.grading import grade

SMALL = -0.000787


@pytest.mark.parametrize("typed", ["0", "-0", "0.00", "0e5"])
def test_zero_is_not_a_small_number(typed: str) -> None:
    verdict = grade("number", typed, SMALL)
    assert not verdict.correct
    assert "Off by a sign" not in verdict.message
    assert "as far as it goes" not in verdict.message
    assert repr(SMALL) not in verdict.message


def test_zero_is_right_for_zero() -> None:
    assert grade("number", "0", 0.0).correct
    assert grade("number", "0", 0).correct


def test_whole_number_message_reads_cleanly() -> None:
    message = grade("number", "5", 7).message
    assert message.count("(") == message.count(")")


@pytest.mark.parametrize("tolerance", [None, {"rel": 1e-3}, {"abs": 1e-4}])
def test_zero_is_not_called_half_or_twice(tolerance: dict[str, float] | None) -> None:
    """A learner typed 0 where the value was 1.0 and was told theirs was half of it."""
    verdict = grade("number", "0", 1.0, tolerance=tolerance)
    assert not verdict.correct
    assert "half" not in verdict.message and "twice" not in verdict.message
