"""A translated lesson checked against its English lesson and completed from it.

docs/lesson-format.md, "Translating a lesson": a translation keeps the steps, cells (code
identical), static blocks and quizzes (same id and type) of the English lesson. Its quizzes may
give only `ask`, `hints`, `explain`, `choices` (as many as the English) and `accept`; the keys
that decide the answer are inherited from the English quiz, or must be identical to it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from tutor.course.model import Cell, Lesson, Quiz, StaticCode, Step

#: Quiz keys a translation inherits from the English quiz: omitted, or identical.
INHERITED = ("answer", "tolerance", "check", "show", "solution", "constraints")


def translation_problems(english: Lesson, other: Lesson) -> list[tuple[int, str]]:
    """Where a translation's front matter, steps, cells, static blocks or quizzes differ from
    the English lesson, as (line in the translation, message)."""
    problems: list[tuple[int, str]] = []
    if other.id != english.id:
        problems.append((2, f"translation id '{other.id}' differs from the English '{english.id}'"))
    if other.order != english.order:
        problems.append((2, f"translation order {other.order} differs from the English "
                            f"{english.order}"))
    if other.timeout != english.timeout:
        problems.append((2, f"translation timeout {other.timeout} differs from the English "
                            f"{english.timeout}"))
    if len(other.steps) != len(english.steps):
        problems.append((1, f"translation has {len(other.steps)} steps, the English lesson "
                            f"{english.path.name} has {len(english.steps)}"))
        return problems
    lines = _lines(other.path)
    for ours, theirs in zip(english.steps, other.steps, strict=True):
        problems += _step_problems(ours, theirs, lines)
    return problems


def _step_problems(ours: Step, theirs: Step, lines: list[str]) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    number = theirs.index + 1
    if len(theirs.cells) != len(ours.cells):
        problems.append((theirs.line, f"step {number} has {len(theirs.cells)} cells; "
                                      f"the English step has {len(ours.cells)}"))
    else:
        for english_cell, cell in zip(ours.cells, theirs.cells, strict=True):
            if cell.source != english_cell.source:
                problems.append((cell.line, f"cell {cell.index + 1}'s code differs from the "
                                            f"English (line {english_cell.line}): code is "
                                            "never translated"))
    ours_static = [b for b in ours.blocks if isinstance(b, StaticCode)]
    theirs_static = [b for b in theirs.blocks if isinstance(b, StaticCode)]
    if [b.source for b in ours_static] != [b.source for b in theirs_static]:
        line = next((b.line for b, e in zip(theirs_static, ours_static, strict=False)
                     if b.source != e.source), theirs.line)
        problems.append((line, f"step {number}'s code blocks differ from the English step's: "
                               "code is never translated"))
    ours_ids = [q.id for q in ours.quizzes]
    theirs_ids = [q.id for q in theirs.quizzes]
    if ours_ids != theirs_ids:
        problems.append((theirs.line, f"step {number} has quizzes {theirs_ids}; "
                                      f"the English step has {ours_ids}"))
        return problems
    for english_quiz, quiz in zip(ours.quizzes, theirs.quizzes, strict=True):
        problems += _quiz_problems(english_quiz, quiz, lines)
    if _order(ours) != _order(theirs) and not problems:
        problems.append((theirs.line, f"step {number}'s cells and quizzes are not in the same "
                                      "places as in the English step"))
    return problems


def _order(step: Step) -> list[str]:
    """The step's cells and quizzes in order: a quiz is asked after the cells above it."""
    return ["cell" if isinstance(b, Cell) else "quiz" for b in step.blocks
            if isinstance(b, Cell | Quiz)]


def _quiz_problems(english: Quiz, quiz: Quiz, lines: list[str]) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    if quiz.type != english.type:
        problems.append((_key_line(lines, quiz.line, "type"),
                         f"quiz '{quiz.id}' is a {quiz.type} quiz; the English one is a "
                         f"{english.type} quiz"))
    for key in INHERITED:
        given = getattr(quiz, key)
        if given is not None and given != getattr(english, key):
            problems.append((_key_line(lines, quiz.line, key),
                             f"quiz '{quiz.id}': '{key}' differs from the English quiz; a "
                             "translation leaves it out (it is inherited)"))
    if quiz.choices and len(quiz.choices) != len(english.choices):
        problems.append((_key_line(lines, quiz.line, "choices"),
                         f"quiz '{quiz.id}' has {len(quiz.choices)} choices; the English quiz "
                         f"has {len(english.choices)} (translated choices map by position)"))
    return problems


def merged(english: Lesson, other: Lesson) -> Lesson:
    """The translation with each quiz completed from the English one (call once
    `translation_problems` finds nothing)."""
    steps = []
    for ours, theirs in zip(english.steps, other.steps, strict=True):
        english_quizzes = {q.id: q for q in ours.quizzes}
        blocks = tuple(_merged_quiz(english_quizzes[b.id], b) if isinstance(b, Quiz) else b
                       for b in theirs.blocks)
        steps.append(replace(theirs, blocks=blocks))
    return replace(other, steps=tuple(steps))


def _merged_quiz(english: Quiz, quiz: Quiz) -> Quiz:
    choices = quiz.choices or english.choices
    return replace(
        quiz, answer=english.answer, tolerance=english.tolerance, check=english.check,
        show=english.show, solution=english.solution, cells_before=english.cells_before,
        constraints=english.constraints,
        choices=choices, answer_choices=english.choices if quiz.choices else (),
        accept=tuple(dict.fromkeys((*quiz.accept, *english.accept))),
        shown=tuple(dict.fromkeys((*quiz.shown, *english.shown))),
    )


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _key_line(lines: list[str], fence: int, key: str) -> int:
    """The line of `key:` in the quiz block whose fence is on line `fence` (else the fence's)."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*:")
    for number in range(fence + 1, len(lines) + 1):
        text = lines[number - 1]
        if text.strip().startswith("```"):
            break
        if pattern.match(text):
            return number
    return fence
