"""The course: lesson files parsed into plain data. Imports neither Textual nor torch."""

from typing import Any

from tutor.course.catalog import default_lessons_dir, load_course
from tutor.course.model import (
    Cell,
    Course,
    Lesson,
    LessonError,
    Prose,
    Quiz,
    StaticCode,
    Step,
)
from tutor.quiz_kinds import QUIZ_TYPES

__all__ = [
    "QUIZ_TYPES",
    "Cell",
    "Course",
    "Lesson",
    "LessonError",
    "Prose",
    "Quiz",
    "StaticCode",
    "Step",
    "default_lessons_dir",
    "load_course",
    "parse_lesson",
    "parse_lesson_text",
]


def __getattr__(name: str) -> Any:
    """The parser is imported on first use: a course loaded from the cache never needs it."""
    if name in ("parse_lesson", "parse_lesson_text"):
        from tutor.course import lesson_file

        return getattr(lesson_file, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
