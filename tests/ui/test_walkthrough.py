"""Lessons 7-12 worked through with the keyboard alone at 80x24, as a new learner would (issue
#14): open the lesson from the list, run every cell with F5, answer every quiz wrongly first
and then rightly (F2, type, Enter), do the tasks by editing the cell, and finish the lesson.
Every cell's output and every verdict must be on screen when it arrives, without scrolling.

The right answers are computed (the lesson's own values), typed as a learner reads them; a
task is done by editing its cell with the keys a learner would press (lessons 10 and 11).
By default the walk reads lesson 12's first half and works through its second half (saving,
loading, freezing: about 15 s); TUTOR_WALKTHROUGH=all walks all six lessons start to finish
(about 3 minutes), as issue #14 asks after a change to the lesson screen.
"""

from __future__ import annotations

import os
import string
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList
from ui_helpers import wait_until

from tutor.course import Quiz, load_course
from tutor.ui.app import TutorApp
from tutor.ui.labels import value_text
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.screens.lesson_quizzes import revealed_text
from tutor.ui.widgets.quiz_panel import QuizPanel

LESSONS = Path(__file__).parents[2] / "lessons"

#: Every lesson of issue #14's walkthrough.
ALL = ("logits", "embeddings", "attention-shapes", "training-loop", "next-token",
       "precision-memory")
#: (lesson, the step the walk starts working at): the default run reads lesson 12's first half
#: (F8) and works through its second half, from "Saving" (step 6; F5 there runs the cells
#: before it too), so the last step lists the steps left open.
WALKED = [(lesson, 0) for lesson in ALL] if os.environ.get("TUTOR_WALKTHROUGH") == "all" \
    else [("precision-memory", 5)]

#: Answers longer than this are pasted, not typed key by key.
SHORT = 16

#: The keys that do each task, as a learner edits the cell above it (from its first line).
TASK_KEYS = {
    "fix-lr": ["end", "backspace", "backspace", "backspace", *"0.1"],
    "top-k": ["down"] * 5 + ["end", "enter", *"if top_k is not None:", "enter",
                             *"kept = torch.topk(logits, top_k).values[-1]", "enter",
                             *'logits = logits.masked_fill(logits < kept, float("-inf"))'],
}


def wrong_answer(quiz: Quiz, right: str) -> str:
    """A wrong answer of the quiz's own form."""
    if quiz.type == "choice":
        return next(letter for letter in "abcd" if letter != right)
    return {"shape": "(9, 9)", "dtype": "bool" if "bool" not in right else "torch.int8",
            "tensor": "[9, 8]", "text": "zzz"}.get(quiz.type, "12345")


def right_answer(quiz: Quiz, expected: Any) -> str:
    """What a learner types: a choice's letter, a code quiz's expression, a number as the
    lesson prints it (three significant digits unless it is a whole number), the rest as the
    reveal shows it."""
    if quiz.type == "choice":
        return string.ascii_lowercase[quiz.choices.index(str(expected))]
    if quiz.type == "code":
        return quiz.answer
    if quiz.type == "number":
        number = float(expected)
        return str(int(number)) if number.is_integer() else f"{number:.3g}"
    return revealed_text(quiz, expected).split("  (")[0] if quiz.type == "tensor" else \
        value_text(expected)


def shown(screen: LessonScreen, widget) -> bool:
    region = widget.region
    return region.height > 0 and screen.step_view.region.contains_region(
        region._replace(height=1))


async def settle(pilot, app: TutorApp, screen: LessonScreen) -> None:
    await app.workers.wait_for_complete()
    await wait_until(pilot, lambda: not screen.running)
    await pilot.pause()


async def answer(pilot, app: TutorApp, screen: LessonScreen, panel: QuizPanel,
                 text: str) -> str:
    """Type `text` in the quiz's field (F2 gets there first) and check it; the verdict, which
    must be on screen."""
    if app.focused is not panel.answer_field:
        await pilot.press("f2")
    assert app.focused is panel.answer_field, panel.quiz.id
    await pilot.press("end", "ctrl+u")
    if len(text) > SHORT:  # pasted: typing a long expression key by key tests nothing more
        panel.answer_field.insert_text_at_cursor(text)
    else:
        await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot, app, screen)
    await pilot.pause()
    verdict = panel.query_one(".quiz-verdict")
    assert shown(screen, verdict), (panel.quiz.id, str(verdict.render()))
    return str(verdict.render())


async def do_task(pilot, app: TutorApp, screen: LessonScreen, panel: QuizPanel) -> None:
    """Check the task as the cell stands (not met), edit the cell, run it, check again."""
    verdict = await answer(pilot, app, screen, panel, "")
    assert verdict.startswith("✗"), verdict
    await pilot.press("escape", "ctrl+down")  # into the current cell: the one above the task
    await pilot.press(*TASK_KEYS[panel.quiz.id], "f5")
    await settle(pilot, app, screen)
    assert screen.panes.output.text.rstrip().endswith("✓ done"), screen.panes.output.text
    verdict = await answer(pilot, app, screen, panel, "")
    assert verdict.startswith("✓"), verdict


@pytest.mark.parametrize(("lesson_id", "first"), WALKED)
async def test_a_lesson_with_the_keyboard_at_80x24(runner, progress, lesson_id, first) -> None:
    app = TutorApp(load_course(LESSONS), runner=runner, progress=progress)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        for _ in range(len(ALL) * 3):
            if options.highlighted_option and options.highlighted_option.id == lesson_id:
                break
            await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        steps = screen.lesson.steps
        for _ in range(first):
            await pilot.press("f8")
        for step in steps[first:]:
            await wait_until(pilot, lambda step=step: screen.step_index == step.index)
            for cell in step.cells:
                assert screen.current_cell == cell.index
                await pilot.press("f5")
                await settle(pilot, app, screen)
                output = screen.panes.output
                assert output.text.rstrip().endswith("✓ done"), output.text
                await pilot.pause()
                if screen.panes.current == "output":  # all of it on screen, "In [n]" included
                    assert output.max_scroll_y == 0, (cell.index, output.text)
                else:  # a plot, whole, in its pane
                    plot = screen.query_one("#plot")
                    assert plot.region.contains_region(plot.query_one(".plot").region)
            for quiz in step.quizzes:
                panel = screen.query_one(f"#quiz-{quiz.id}", QuizPanel)
                if quiz.type == "task":
                    await do_task(pilot, app, screen, panel)
                    continue
                right = right_answer(quiz, await screen.session.expected_value(quiz))
                verdict = await answer(pilot, app, screen, panel, wrong_answer(quiz, right))
                assert verdict.startswith("✗"), (quiz.id, verdict)
                verdict = await answer(pilot, app, screen, panel, right)
                assert verdict.startswith("✓"), (quiz.id, right, verdict)
            if step.index < len(steps) - 1:
                await pilot.press("f8")
        end = str(screen.query_one("#lesson-end").render())
        # Only read, the steps before `first` with something to do are still open.
        skipped = [str(s.index + 1) for s in steps[:first] if s.cells or s.quizzes]
        if skipped:
            assert not screen.session.lesson_complete
            assert end.endswith(f"Steps still to do: {', '.join(skipped)} (F7 goes back).")
        else:
            assert screen.session.lesson_complete
            assert end.startswith("✓ Lesson complete"), end
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, LessonScreen))
