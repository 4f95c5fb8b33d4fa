"""Choices and text answers meet their targets despite spaces, dashes and digit grouping."""

from __future__ import annotations

import pytest

from tutor.grading import grade

CHOICES = ["Pretraining", "Fine-tuning", "60000", "grid.T.view(2, 3)", "retain_graph=True"]


@pytest.mark.parametrize(("typed", "target"), [
    ("fine tuning", "Fine-tuning"),
    ("FINETUNING", "Fine-tuning"),
    ("60,000", "60000"),
    ("60 000", "60000"),
    ("grid.T.view(2,3)", "grid.T.view(2, 3)"),
    ("retain_graph = True", "retain_graph=True"),
])
def test_choice_text_typed_loosely_is_the_choice(typed: str, target: str) -> None:
    verdict = grade("choice", typed, target, choices=CHOICES)
    assert verdict.correct, verdict.message
    other = next(c for c in CHOICES if c != target)
    assert not grade("choice", typed, other, choices=CHOICES).correct


def test_choices_that_collapse_together_need_the_exact_text() -> None:
    choices = ["re-use", "reuse"]
    assert grade("choice", "re-use", "re-use", choices=choices).correct
    assert not grade("choice", "re-use", "reuse", choices=choices).correct
    assert grade("choice", "re use", "re-use", choices=choices).kind == "unparseable"


def test_text_accepts_loose_spellings() -> None:
    assert grade("text", "Sigmoid backward 0", None, accept=["SigmoidBackward0"]).correct
    assert grade("text", "sigmoid-backward0", None, accept=["SigmoidBackward0"]).correct
    assert not grade("text", "SigmoidBackward1", None, accept=["SigmoidBackward0"]).correct
