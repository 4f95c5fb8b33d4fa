"""Plain dataclasses for a parsed course: lessons, steps, cells, quizzes and file errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class LessonError:
    """A defect in a lesson file, reported as `file:line: message` (`file: message` when it is
    about the file or folder as a whole: then `line` is 0)."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "message": self.message}


@dataclass(frozen=True)
class Prose:
    """Markdown text between code blocks."""

    text: str
    line: int


@dataclass(frozen=True)
class Cell:
    """A runnable `python` cell; `index` counts runnable cells across the whole lesson."""

    index: int
    source: str
    line: int


@dataclass(frozen=True)
class StaticCode:
    """A `python static` block: shown highlighted, never run."""

    source: str
    line: int


@dataclass(frozen=True)
class Quiz:
    """A quiz; `answer` is evaluated after the first `cells_before` cells have run.

    A task (`type: task`) has no `answer`: its `check` condition (and `show`, if any) is evaluated
    in the learner's namespace, and `solution` is a full replacement for the last cell above it.
    """

    id: str
    type: str
    ask: str
    answer: str | None
    line: int
    cells_before: int
    hints: tuple[str, ...] = ()
    explain: str = ""
    tolerance: dict[str, float] | None = None
    choices: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()
    check: str | None = None
    show: str | None = None
    solution: str | None = None
    answer_choices: tuple[str, ...] = ()
    """In a translation, the English choices: the computed answer names one of them, and the
    translated choice at the same position is the right one (`tutor.course.translation`)."""
    constraints: dict[str, Any] | None = None
    """A code quiz's constraints on the expression (forbid, require, value, vary), as
    `tutor.grading.constraints.parse_constraints` reads them."""
    shown: tuple[str, ...] = ()
    """Numbers the lesson shows beside the quiz (its text and its step's prose), as collected by
    `tutor.grading.shown.numbers_in`: the grader accepts answers at the precision they show."""


Block = Prose | Cell | StaticCode | Quiz


@dataclass(frozen=True)
class Step:
    """One screen of a lesson: the text under a level-2 heading (or the intro)."""

    index: int
    title: str
    line: int
    blocks: tuple[Block, ...]

    @property
    def cells(self) -> list[Cell]:
        return [b for b in self.blocks if isinstance(b, Cell)]

    @property
    def quizzes(self) -> list[Quiz]:
        return [b for b in self.blocks if isinstance(b, Quiz)]


@dataclass(frozen=True)
class Lesson:
    """A parsed lesson file."""

    id: str
    title: str
    order: int
    summary: str
    path: Path
    steps: tuple[Step, ...]
    timeout: float | None = None
    lang: str = "en"

    @property
    def cells(self) -> list[Cell]:
        return [c for s in self.steps for c in s.cells]

    @property
    def quizzes(self) -> list[Quiz]:
        return [q for s in self.steps for q in s.quizzes]

    def quiz(self, quiz_id: str) -> Quiz:
        """The quiz with this id (KeyError if the lesson has none)."""
        for q in self.quizzes:
            if q.id == quiz_id:
                return q
        raise KeyError(quiz_id)


@dataclass
class Course:
    """Every lesson that loaded, and every error found while loading."""

    lessons: list[Lesson] = field(default_factory=list)
    errors: list[LessonError] = field(default_factory=list)
    directory: Path | None = None

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def broken(self) -> dict[str, list[LessonError]]:
        """Errors of the files that did not load, grouped by file name, in name order."""
        loaded = {str(lesson.path) for lesson in self.lessons}
        grouped: dict[str, list[LessonError]] = {}
        for error in self.errors:
            if error.file not in loaded and error.file != str(self.directory):
                grouped.setdefault(error.file, []).append(error)
        return dict(sorted(grouped.items()))

    def errors_for(self, path: Path) -> list[LessonError]:
        return [e for e in self.errors if Path(e.file) == path]
