"""The course: lesson files parsed into plain data. Imports neither Textual nor torch."""

from tutor.course.catalog import default_lessons_dir, load_course
from tutor.course.lesson_file import parse_lesson, parse_lesson_text
from tutor.course.model import (
    QUIZ_TYPES,
    Cell,
    Course,
    Lesson,
    LessonError,
    Prose,
    Quiz,
    StaticCode,
    Step,
)

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
