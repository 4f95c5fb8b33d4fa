"""A translated lesson checked against its English lesson and completed from it.

docs/lesson-format.md, "Translating a lesson": a translation keeps the steps, cells (code
identical), static blocks and quizzes (same id and type) of the English lesson. Its quizzes may
give only `ask`, `hints`, `explain`, `choices` (as many as the English) and `accept`; the keys
that decide the answer are inherited from the English quiz, or must be identical to it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tutor.course.model import Cell, Lesson, Quiz, StaticCode, Step
from tutor.course.yaml_source import Collector, load_yaml
from tutor.i18n import _

#: Quiz keys a translation inherits from the English quiz: omitted, or identical.
INHERITED = ("answer", "tolerance", "check", "show", "solution", "constraints")


def translation_problems(english: Lesson, other: Lesson) -> list[tuple[int, str]]:
    """Where a translation's front matter, steps, cells, static blocks or quizzes differ from
    the English lesson, as (line in the translation, message)."""
    problems: list[tuple[int, str]] = []
    if other.id != english.id:
        problems.append((2, _("translation id '{id}' differs from the English '{english}'").format(
            id=other.id, english=english.id)))
    if other.order != english.order:
        problems.append((2, _("translation order {order} differs from the English {english}"
                              ).format(order=other.order, english=english.order)))
    if other.timeout != english.timeout:
        problems.append((2, _("translation timeout {timeout} differs from the English {english}"
                              ).format(timeout=other.timeout, english=english.timeout)))
    if len(other.steps) != len(english.steps):
        problems.append((1, _("translation has {count} steps, the English lesson {file} has "
                              "{english}").format(count=len(other.steps), file=english.path.name,
                                                  english=len(english.steps))))
        return problems
    lines = _lines(other.path)
    for ours, theirs in zip(english.steps, other.steps, strict=True):
        problems += _step_problems(ours, theirs, lines)
    return problems


def _step_problems(ours: Step, theirs: Step, lines: list[str]) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    number = theirs.index + 1
    if len(theirs.cells) != len(ours.cells):
        problems.append((theirs.line, _("step {number} has {count} cells; the English step has "
                                        "{english}").format(number=number, count=len(theirs.cells),
                                                            english=len(ours.cells))))
    else:
        for english_cell, cell in zip(ours.cells, theirs.cells, strict=True):
            if cell.source != english_cell.source:
                problems.append((cell.line, _("cell {number}'s code differs from the English (line "
                                              "{line}): code is never translated").format(
                                                  number=cell.index + 1, line=english_cell.line)))
    ours_static = [b for b in ours.blocks if isinstance(b, StaticCode)]
    theirs_static = [b for b in theirs.blocks if isinstance(b, StaticCode)]
    if [b.source for b in ours_static] != [b.source for b in theirs_static]:
        line = next((b.line for b, e in zip(theirs_static, ours_static, strict=False)
                     if b.source != e.source), theirs.line)
        problems.append((line, _("step {number}'s code blocks differ from the English step's: "
                                 "code is never translated").format(number=number)))
    ours_ids = [q.id for q in ours.quizzes]
    theirs_ids = [q.id for q in theirs.quizzes]
    if ours_ids != theirs_ids:
        problems.append((theirs.line, _("step {number} has quizzes {ids}; the English step has "
                                        "{english}").format(number=number, ids=theirs_ids,
                                                            english=ours_ids)))
        return problems
    for english_quiz, quiz in zip(ours.quizzes, theirs.quizzes, strict=True):
        problems += _quiz_problems(english_quiz, quiz, lines)
    if _order(ours) != _order(theirs) and not problems:
        problems.append((theirs.line, _("step {number}'s cells and quizzes are not in the same "
                                        "places as in the English step").format(number=number)))
    return problems


def _order(step: Step) -> list[str]:
    """The step's cells and quizzes in order: a quiz is asked after the cells above it."""
    return ["cell" if isinstance(b, Cell) else "quiz" for b in step.blocks
            if isinstance(b, Cell | Quiz)]


def _quiz_problems(english: Quiz, quiz: Quiz, lines: list[str]) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    if quiz.type != english.type:
        problems.append((_key_line(lines, quiz.line, "type"),
                         _("quiz '{id}' is a {type} quiz; the English one is a {english} quiz"
                           ).format(id=quiz.id, type=quiz.type, english=english.type)))
    for key in INHERITED:
        given = getattr(quiz, key)
        if given is not None and given != getattr(english, key):
            problems.append((_key_line(lines, quiz.line, key),
                             _("quiz '{id}': '{key}' differs from the English quiz; a "
                               "translation leaves it out (it is inherited)").format(
                                   id=quiz.id, key=key)))
    if quiz.choices and len(quiz.choices) != len(english.choices):
        problems.append((_key_line(lines, quiz.line, "choices"),
                         _("quiz '{id}' has {count} choices; the English quiz has {english} "
                           "(translated choices map by position)").format(
                               id=quiz.id, count=len(quiz.choices), english=len(english.choices))))
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
    """The line of `key` in the quiz block whose fence is on line `fence` (else the fence's), from
    PyYAML's node positions (tutor.course.yaml_source), as the parser finds it."""
    body: list[str] = []
    for text in lines[fence:]:
        if text.strip().startswith("```"):
            break
        body.append(text)
    located = load_yaml("\n".join(body), fence + 1, Collector(Path()), "quiz")
    return located.keys.get(key, fence) if located is not None else fence
