"""For every number quiz of the course, the computed value rounded to the precision at which
the lesson shows it (anywhere: prose, quiz texts, printed cell output) is graded right.

The course runs once, on the real runner (CPU), for the whole module.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass
from typing import Any

import pytest

from tutor.checking import NAMESPACE
from tutor.course import Lesson, Prose, Quiz, load_course
from tutor.grading import grade
from tutor.grading.expected import as_number
from tutor.grading.numbers import within_typed_precision
from tutor.grading.shown import numbers_in, parse_shown
from tutor.grading.tolerance import DEFAULT_DIGITS, parse_tolerance
from tutor.runner.client import Runner

COURSE = load_course(use_cache=False)
#: Each number quiz as the learner meets it in each language: the Kiswahili lessons show
#: their own text (the same numbers, by the translation rules) beside the English answers.
NUMBER_QUIZZES = [(lesson, quiz) for course in (COURSE, load_course(None, "sw", use_cache=False))
                  for lesson in course.lessons for quiz in lesson.quizzes
                  if quiz.type == "number"]


@dataclass
class Ran:
    """What the reference run of one lesson printed, and each quiz's computed value."""

    output: str
    values: dict[str, Any]


async def _run(lesson: Lesson, runner: Runner) -> Ran:
    await runner.reset(NAMESPACE)
    output, values = [], {}
    pending = sorted(lesson.quizzes, key=lambda quiz: quiz.cells_before)
    for ran in range(len(lesson.cells) + 1):
        while pending and pending[0].cells_before <= ran:
            quiz = pending.pop(0)
            if quiz.answer is not None:
                result = await runner.evaluate(NAMESPACE, quiz.answer, timeout=lesson.timeout)
                assert result["ok"], (quiz.id, result["error"])
                values[quiz.id] = result["value"]
        if ran < len(lesson.cells):
            result = await runner.execute(NAMESPACE, lesson.cells[ran].source,
                                          timeout=lesson.timeout)
            assert result["ok"], (lesson.id, ran, result["error"])
            output.append(result["output"])
    return Ran("\n".join(output), values)


async def _run_course() -> dict[str, Ran]:
    runner = Runner("cpu", timeout=30.0)
    await runner.start()
    try:
        return {lesson.id: await _run(lesson, runner) for lesson in COURSE.lessons}
    finally:
        await runner.close()


@pytest.fixture(scope="module")
def course_run() -> dict[str, Ran]:
    return asyncio.run(_run_course())


def lesson_text(lesson: Lesson) -> str:
    """Everything a learner reads in the lesson: prose and every quiz's text."""
    parts = [block.text for step in lesson.steps for block in step.blocks
             if isinstance(block, Prose)]
    for quiz in lesson.quizzes:
        parts += [quiz.ask, *quiz.hints, quiz.explain]
    return "\n".join(parts)


def precisions_shown(lesson: Lesson, quiz: Quiz, value: float, printed: str) -> set[int]:
    """The significant digits at which the lesson shows `value`: every number in its text or
    printed output that is `value` to its own precision, and the approximate numbers beside
    the quiz (their precision is the one answers worked out from them carry)."""
    everywhere = parse_shown(numbers_in(lesson_text(lesson) + "\n" + printed))
    digits = {shown.value.digits for shown in everywhere
              if within_typed_precision(shown.value, value, 2.0**-23)}
    beside = parse_shown(quiz.shown)
    digits |= {shown.value.digits for shown in beside if shown.approximate and value != 0
               and 0.1 <= abs(float(shown.value)) / abs(value) <= 10}
    return digits


def rounded(value: float | int, digits: int) -> str:
    if isinstance(value, int) and len(str(abs(value))) <= digits:
        return str(value)
    return f"{value:#.{digits}g}"


@pytest.mark.parametrize(("lesson", "quiz"), NUMBER_QUIZZES,
                         ids=[f"{lesson.path.parent.name}/{lesson.id}:{quiz.id}"
                              for lesson, quiz in NUMBER_QUIZZES])
def test_the_precision_the_lesson_shows_is_right(course_run: dict[str, Ran], lesson: Lesson,
                                                 quiz: Quiz) -> None:
    expected = course_run[lesson.id].values[quiz.id]
    value, _ = as_number(expected)
    if isinstance(value, bool) or not math.isfinite(value):
        return
    rules = parse_tolerance(quiz.tolerance)
    floor = DEFAULT_DIGITS if rules.explicit else rules.digits
    shown = precisions_shown(lesson, quiz, value, course_run[lesson.id].output)
    for digits in sorted(d for d in shown | {floor} if d >= floor):
        answer = rounded(value, digits)
        if isinstance(value, int) and not rules.explicit and answer != str(value) and not any(
                s.approximate for s in parse_shown(quiz.shown)):
            continue  # whole numbers are exact unless the quiz or the lesson says otherwise
        verdict = grade("number", answer, expected, tolerance=quiz.tolerance, shown=quiz.shown)
        assert verdict.correct, (answer, digits, verdict.message)
