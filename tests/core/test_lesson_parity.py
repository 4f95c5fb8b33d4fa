"""Kiswahili at parity with English: every shipped lesson has a translation under lessons/sw/
with the same steps, cells (identical code), static blocks and quizzes, and it is the one used."""

from __future__ import annotations

from pathlib import Path

from tutor.course import default_lessons_dir, load_course
from tutor.course.catalog import lesson_files

LESSONS = default_lessons_dir()


def test_every_english_lesson_has_a_kiswahili_translation() -> None:
    english = [path.name for path in lesson_files(LESSONS)]
    translated = [path.name for path in lesson_files(LESSONS / "sw")]
    assert len(english) >= 12
    assert sorted(set(english) - set(translated)) == []
    assert sorted(set(translated) - set(english)) == []


def test_every_translation_matches_its_english_lesson_and_is_used() -> None:
    course = load_course(LESSONS, "sw", use_cache=False)
    english = load_course(LESSONS, "en", use_cache=False)
    assert [str(error) for error in course.errors] == []
    assert [lesson.id for lesson in course.lessons] == [lesson.id for lesson in english.lessons]
    for ours, theirs in zip(english.lessons, course.lessons, strict=True):
        assert theirs.lang == "sw" and Path(theirs.path).parent.name == "sw", theirs.id
        assert [len(s.cells) for s in theirs.steps] == [len(s.cells) for s in ours.steps]
        assert [c.source for c in theirs.cells] == [c.source for c in ours.cells]
        assert [(q.id, q.type, q.answer, q.check, q.solution) for q in theirs.quizzes] == [
            (q.id, q.type, q.answer, q.check, q.solution) for q in ours.quizzes]
