"""The quiz kinds: the one list the lesson format, the parser and the grader share, and what a
quiz must tell the grader (docs/lesson-format.md, "Quiz types")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

#: Quiz types a lesson may use, in the order the lesson guide explains them. "code" answers are
#: run in a worker and compared with `compare_values`; "task" is checked in the learner's own
#: namespace; the others are typed and judged by `tutor.grading.grade`.
QUIZ_TYPES = ("number", "shape", "dtype", "tensor", "choice", "text", "code", "task")
#: Quiz kinds whose answers run in the runner (graded by tutor.grading.code_answers).
RUN_KINDS = ("code", "task")
#: Quiz kinds whose answers are typed and graded by `grade`: the lesson format's list, less those.
KINDS = tuple(kind for kind in QUIZ_TYPES if kind not in RUN_KINDS)


class GradedQuiz(Protocol):
    """What `grade_quiz` reads of a quiz (tutor.course.model.Quiz has it all)."""

    @property
    def type(self) -> str: ...
    @property
    def ask(self) -> str: ...
    @property
    def tolerance(self) -> Mapping[str, float] | None: ...
    @property
    def choices(self) -> Sequence[str]: ...
    @property
    def accept(self) -> Sequence[str]: ...
    @property
    def shown(self) -> Sequence[str]: ...
