"""Find the lesson folder and load every lesson (and translation) in it, past any errors."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from tutor.course import cache
from tutor.course.model import Course, Lesson, LessonError
from tutor.i18n import _

_ID_LINE = re.compile(r"^id:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)

#: Files in a lesson folder that are documentation, not lessons.
NOT_LESSONS = {"README.md", "readme.md"}


def default_lessons_dir() -> Path:
    """The shipped course: inside the installed package, else the source checkout's `lessons/`."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "lessons"
    if installed.is_dir():
        return installed
    return package.parent / "lessons"


def declared_id(path: Path) -> str | None:
    """The `id:` a lesson file declares, read without parsing (for files that failed to)."""
    if not path.is_file():  # a FIFO would block the read; a directory has no id
        return None
    try:
        with path.open("rb") as file:
            head = file.read(4000).decode("utf-8", errors="replace")
    except OSError:
        return None
    match = _ID_LINE.search(head)
    return match.group(1) if match else None


def lesson_files(directory: Path, errors: list[LessonError] | None = None) -> list[Path]:
    """The lesson files directly inside `directory`, in name order. Anything else named `*.md`
    (a directory, a FIFO, a symbolic link loop or a broken link) is reported in `errors`."""
    found = []
    for path in sorted(directory.glob("*.md")):
        if path.name in NOT_LESSONS:
            continue
        problem = _not_a_file(path)
        if problem is None:
            found.append(path)
        elif errors is not None:
            errors.append(LessonError(str(path), 0, problem))
    return found


def _not_a_file(path: Path) -> str | None:
    """Why `path` cannot be read as a lesson file without blocking or failing, or None."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _("not a lesson file: a symbolic link loop")
        if path.is_symlink():
            return _("not a lesson file: a symbolic link to nothing")
        return _("cannot read the file: {error}").format(error=exc.strerror or exc)
    if stat.S_ISDIR(mode):
        return _("not a lesson file: a folder named like one")
    if not stat.S_ISREG(mode):
        return _("not a lesson file: a FIFO, socket or device, not a regular file")
    return None


def load_course(
    lessons_dir: Path | None = None, lang: str | None = None, *, use_cache: bool = True
) -> Course:
    """Every lesson in the folder, sorted by `order`; broken files become errors, never exceptions.

    With `lang`, a lesson whose translation exists in `<folder>/<lang>/<same name>.md` is read
    from there, after checking it keeps the English steps, cells and quiz ids.
    """
    directory = lessons_dir or Path(os.environ.get("TUTOR_LESSONS", "") or default_lessons_dir())
    if not use_cache:
        return _parse_course(directory, lang)
    cached = cache.load(directory, lang)
    if cached is not None:
        return cached
    # Stamp before parsing, so a file edited meanwhile makes the entry stale, never wrong.
    at = cache.stamp(directory, lang)
    course = _parse_course(directory, lang)
    cache.save(directory, lang, course, at)
    return course


def _parse_course(directory: Path, lang: str | None) -> Course:
    """Parse every lesson file in `directory` (see `load_course`)."""
    from tutor.course.lesson_file import parse_lesson

    course = Course(directory=directory)
    if not directory.is_dir():
        course.errors.append(LessonError(str(directory), 0, _("lesson folder not found")))
        return course
    seen: dict[str, Path] = {}
    for path in lesson_files(directory, course.errors):
        lesson, errors = parse_lesson(path)
        course.errors.extend(errors)
        if lesson is None or errors:
            # A lesson with any defect is listed as broken rather than shown with parts missing.
            continue
        if lesson.id in seen:
            course.errors.append(LessonError(
                str(path), 2, _("duplicate lesson id '{id}' (also used by {file})").format(
                    id=lesson.id, file=seen[lesson.id])))
            continue
        seen[lesson.id] = path
        if lang and lang != "en":
            lesson = _translated(lesson, directory / lang / path.name, lang, course.errors)
        course.lessons.append(lesson)
    course.lessons.sort(key=lambda lesson: (lesson.order, lesson.id))
    return course


def _translated(english: Lesson, path: Path, lang: str, errors: list[LessonError]) -> Lesson:
    """The translation at `path` if it exists and matches `english` (completed from it: see
    `tutor.course.translation`), else the English lesson."""
    from tutor.course.lesson_file import parse_lesson
    from tutor.course.translation import merged, translation_problems

    if not os.path.lexists(path):
        return english
    problem = _not_a_file(path)
    if problem is not None:  # a folder, FIFO or broken link named like the translation
        errors.append(LessonError(str(path), 0, problem))
        return english
    lesson, found = parse_lesson(path, lang=lang)
    errors.extend(found)
    if lesson is None or found:
        return english
    problems = translation_problems(english, lesson)
    for line, message in problems:
        errors.append(LessonError(str(path), line, message))
    return english if problems else merged(english, lesson)
