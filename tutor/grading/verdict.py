"""The outcome of grading one answer: plain data that the UI styles and the progress store keeps."""

from __future__ import annotations

from dataclasses import dataclass, field

CORRECT = "correct"
WRONG = "wrong"
UNPARSEABLE = "unparseable"


@dataclass(frozen=True)
class Verdict:
    """Whether an answer is right, and a message saying what was compared (never the answer)."""

    correct: bool
    message: str
    parsed: object | None = None
    """The learner's answer as understood (a number, a shape tuple, a dtype name...)."""
    kind: str = ""
    """"correct", "wrong" or "unparseable"; filled from `correct` when left empty."""
    counted: bool = field(default=True)
    """Whether this answer is an attempt (docs/grading.md, "What counts as an attempt"): an
    answer that cannot be read, a code answer that names nothing or has a syntax error, and
    "right as far as it goes, type more digits" are not."""

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", CORRECT if self.correct else WRONG)
        if self.kind == UNPARSEABLE:
            object.__setattr__(self, "counted", False)

    @classmethod
    def right(cls, message: str, parsed: object | None = None) -> Verdict:
        return cls(True, message, parsed, CORRECT)

    @classmethod
    def wrong(cls, message: str, parsed: object | None = None, *, counted: bool = True
              ) -> Verdict:
        return cls(False, message, parsed, WRONG, counted)

    @classmethod
    def unparseable(cls, message: str) -> Verdict:
        return cls(False, message, None, UNPARSEABLE, False)

    @classmethod
    def not_counted(cls, message: str) -> Verdict:
        """Not right, but not an attempt either: the answer could not be judged (a name that
        does not exist, a check that raised) and the learner is told how to go on."""
        return cls(False, message, None, WRONG, False)
