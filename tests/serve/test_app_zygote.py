"""The UI zygote's course, parsed once before forking and handed to each app while current."""

from __future__ import annotations

import shutil
from pathlib import Path

from tutor import app_zygote

LESSONS = Path(__file__).parent / "lessons"


def test_apps_get_the_course_parsed_before_the_fork_until_a_lesson_file_changes(
        tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    shutil.copytree(LESSONS, lessons)
    app_zygote.PARSED.clear()
    app_zygote.parse_courses(lessons)
    parsed = app_zygote.PARSED[(lessons, "en")][0]
    assert [lesson.id for lesson in parsed.lessons] == ["tiny"]
    assert app_zygote.parsed_course(lessons, "en") is parsed
    assert app_zygote.parsed_course(lessons, "en", use_cache=False) is not parsed
    lesson = next(lessons.glob("*.md"))
    lesson.write_text(lesson.read_text().replace("A tiny lesson", "A changed lesson"))
    changed = app_zygote.parsed_course(lessons, "en")
    assert changed is not parsed and changed.lessons[0].title == "A changed lesson"
    app_zygote.PARSED.clear()
