"""The outcome of grading one answer: plain data that the UI styles and the progress store keeps."""

from __future__ import annotations

from dataclasses import dataclass

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

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", CORRECT if self.correct else WRONG)

    @classmethod
    def right(cls, message: str, parsed: object | None = None) -> Verdict:
        return cls(True, message, parsed, CORRECT)

    @classmethod
    def wrong(cls, message: str, parsed: object | None = None) -> Verdict:
        return cls(False, message, parsed, WRONG)

    @classmethod
    def unparseable(cls, message: str) -> Verdict:
        return cls(False, message, None, UNPARSEABLE)

    def to_dict(self) -> dict[str, object]:
        """JSON-able form for the progress store (`parsed` as given: plain data)."""
        parsed = list(self.parsed) if isinstance(self.parsed, tuple) else self.parsed
        return {"correct": self.correct, "kind": self.kind, "message": self.message,
                "parsed": parsed}
