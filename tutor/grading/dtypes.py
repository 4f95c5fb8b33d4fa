"""Dtype answers: the same dtype under any accepted spelling, with feedback on kind and width."""

from __future__ import annotations

import re

from .dtype_names import canonical, category, display, dtype_form
from .expected import ExpectedValueError
from .verdict import Verdict


def _bits(name: str) -> int | None:
    match = re.search(r"\d+", name)
    return int(match.group()) if match else None


def grade_dtype(answer: str, expected: object) -> Verdict:
    """Same dtype under any accepted spelling; feedback on kind (float/int) and width."""
    # The runner sends a torch.dtype as str(dtype): "torch.float32", exactly.
    target = canonical(expected) if isinstance(expected, str) else None
    if target is None or expected != display(target):
        raise ExpectedValueError("a dtype quiz's answer must give a torch dtype such as x.dtype, "
                                 f"not {expected!r:.80}")
    typed = canonical(answer)
    if typed is None:
        return Verdict.unparseable(dtype_form(target))
    shown = display(typed)
    if typed == target:
        return Verdict.right(f"Correct: {display(target)}.", shown)
    if category(typed) != category(target):
        return Verdict.wrong(f"{shown} is {_article(category(typed))} {category(typed)} type; "
                             f"the computed dtype is {_article(category(target))} "
                             f"{category(target)} type.", shown)
    if _bits(typed) == _bits(target):
        return Verdict.wrong(f"{shown} has the right width but is not the computed format.",
                             shown)
    return Verdict.wrong(f"Right kind ({category(target)}), but {shown} has a different "
                         "precision (bits per element).", shown)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
