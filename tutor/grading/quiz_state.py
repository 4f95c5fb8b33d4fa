"""One quiz's attempts, hints and reveal, as plain data for the progress store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .normalize import loose_key
from .verdict import Verdict


@dataclass
class QuizAttempts:
    """What happened on one quiz. Only counted verdicts are attempts (a typo in the form of an
    answer is not a wrong answer), and the same wrong answer given again counts once."""

    quiz_id: str = ""
    attempts: int = 0
    hints_shown: int = 0
    revealed: bool = False
    solved: bool = False
    first_attempt_correct: bool | None = None
    """None until the first counted attempt."""
    wrong_answers: set[str] = field(default_factory=set)
    """Keys (`answer_key`) of the wrong answers counted so far."""

    def record(self, verdict: Verdict, answer: str = "") -> bool:
        """Count one graded answer typed as `answer`; True when it counted as an attempt."""
        if not verdict.counted:
            return False
        if not verdict.correct:
            key = answer_key(verdict, answer)
            if key in self.wrong_answers:
                return False
            self.wrong_answers.add(key)
        self.attempts += 1
        if self.first_attempt_correct is None:
            self.first_attempt_correct = verdict.correct
        if verdict.correct:
            self.solved = True
        return True

    def next_hint(self, hints: Sequence[str]) -> str | None:
        """The next hint not yet shown (and count it), or None when all have been shown."""
        if self.hints_shown >= len(hints):
            return None
        self.hints_shown += 1
        return hints[self.hints_shown - 1]

    def shown_hints(self, hints: Sequence[str]) -> list[str]:
        """The hints shown so far, in order (to redraw them after a resume)."""
        return list(hints[: self.hints_shown])

    def reveal(self) -> None:
        """Record that the computed answer was shown to the learner."""
        self.revealed = True

    @property
    def solved_unaided(self) -> bool:
        """Solved before any reveal and without hints."""
        return self.solved and not self.revealed and self.hints_shown == 0


def answer_key(verdict: Verdict, answer: str) -> str:
    """What makes two answers the same answer: the value understood (`1` and `a` pick the same
    choice; `-0.09` and `−0.090` are one number), else the text ignoring case and spacing."""
    parsed = verdict.parsed
    if isinstance(parsed, bool | int | float | str | tuple):
        return f"{type(parsed).__name__}:{parsed!r}"
    return f"text:{loose_key(answer)}"
