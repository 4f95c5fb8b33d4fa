"""One quiz's attempts, hints and reveal, as plain data for the progress store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields

from .verdict import UNPARSEABLE, Verdict


@dataclass
class QuizAttempts:
    """What happened on one quiz. Unparseable answers are not counted as attempts: a typo in
    the form of an answer is not a wrong answer."""

    quiz_id: str = ""
    attempts: int = 0
    hints_shown: int = 0
    revealed: bool = False
    solved: bool = False
    first_attempt_correct: bool | None = None
    """None until the first counted attempt."""

    def record(self, verdict: Verdict) -> None:
        """Count one graded answer (ignored if unparseable)."""
        if verdict.kind == UNPARSEABLE:
            return
        self.attempts += 1
        if self.first_attempt_correct is None:
            self.first_attempt_correct = verdict.correct
        if verdict.correct:
            self.solved = True

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

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> QuizAttempts:
        """Rebuild from `to_dict` output; unknown keys are ignored (newer stores)."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})  # type: ignore[arg-type]
