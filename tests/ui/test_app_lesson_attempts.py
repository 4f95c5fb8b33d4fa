"""What counts as an attempt, completing a lesson by reading it, and the note after an edit."""

from __future__ import annotations

from ui_helpers import plain

from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.widgets.cell_editor import CellEditor
from tutor.ui.widgets.quiz_panel import QuizPanel


def verdict(panel: QuizPanel) -> str:
    return str(panel.query_one(".quiz-verdict").render())


def note(panel: QuizPanel) -> str:
    line = panel.query_one(".quiz-note")
    return str(line.render()) if line.display else ""


async def open_step(pilot, app, step: int) -> LessonScreen:
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, LessonScreen)
    for _ in range(step):
        await pilot.press("f8")
    return screen


async def answer(pilot, app, panel: QuizPanel, text: str) -> None:
    panel.answer_field.value = text
    panel.answer_field.focus()
    await pilot.press("enter")
    await app.workers.wait_for_complete()


async def test_a_repeated_wrong_answer_counts_once(make_app, progress) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, app, 1)
        panel = app.screen.query_one(QuizPanel)
        await answer(pilot, app, panel, "13")
        assert verdict(panel).startswith("✗") and panel.state.attempts == 1
        await answer(pilot, app, panel, " 13 ")
        assert verdict(panel).endswith("The same answer as before: counted once.")
        assert panel.state.attempts == 1
        await answer(pilot, app, panel, "12")
        assert panel.state.attempts == 2
    assert [a["answer"] for a in progress.attempts("mini")] == ["13", "12"]


async def test_a_wrong_answer_from_an_earlier_session_is_not_counted_again(
    make_app, progress
) -> None:
    progress.record_attempt("mini", "loss-value", "13", False, "Not quite", device="cpu",
                            torch_version="test")
    progress.set_position("mini", 1)
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        panel = app.screen.query_one(QuizPanel)
        await answer(pilot, app, panel, "13")
        assert panel.state.attempts == 1
    assert len(progress.attempts("mini")) == 1


async def test_an_unreadable_answer_says_it_is_not_counted(make_app, progress) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, app, 2)
        panel = app.screen.query_one(QuizPanel)
        await answer(pilot, app, panel, "abc")
        assert verdict(panel).startswith("?")
        assert verdict(panel).endswith("Not counted as an attempt.")
        assert panel.state.attempts == 0
    assert progress.attempts("mini") == []


async def test_reading_the_last_step_completes_the_lesson(make_app, progress) -> None:
    app = make_app(lesson="second")  # one prose step, which is also the last
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, 0)
        assert screen.session.lesson_complete
        assert "Lesson complete" in str(screen.query_one("#lesson-end").render())
        await pilot.press("escape")
        await pilot.pause()
        options = app.screen.query_one("#lessons")
        assert plain(options.get_option_at_index(1).prompt).startswith("✓ 2. Second lesson")
    assert progress.completed_steps("second") == {0}


async def test_a_quiz_after_an_edit_says_answers_come_from_the_lessons_code(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, 1)
        panel = screen.query_one(QuizPanel)
        await answer(pilot, app, panel, "14")
        assert verdict(panel).startswith("✓") and note(panel) == ""
        screen.query_one(CellEditor).editor.load_text("w = 0")
        await pilot.pause()
        await answer(pilot, app, panel, "14")  # a re-check, after the edit
        assert "computed from the lesson's own code (F9" in note(panel)
        screen.query_one(CellEditor).focus()
        await pilot.press("f9")
        await pilot.pause()
        await answer(pilot, app, panel, "14")
        assert note(panel) == ""


async def test_completing_the_lesson_leaves_the_last_steps_text_readable(
        make_app, progress) -> None:
    """Issue #14: a "Lesson complete" toast covered the top of the last step. The step says so
    at its end instead, and the status bar marks the lesson ✓; before that, the last step says
    which steps are still open."""
    from textual.widgets._toast import Toast

    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_step(pilot, app, 2)  # the last step, with steps 1 and 2 open
        end = screen.query_one("#lesson-end")
        # The last step says which steps are still to do (the intro was done by leaving it).
        assert str(end.render()).endswith("Steps still to do: 2, 3 (F7 goes back).")
        await pilot.press("f7", "f5")
        await app.workers.wait_for_complete()
        await answer(pilot, app, screen.query_one(QuizPanel), "14")
        await pilot.press("f8", "f5")
        await app.workers.wait_for_complete()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        end = screen.query_one("#lesson-end")
        assert str(end.render()).endswith("Steps still to do: 3 (F7 goes back).")
        await answer(pilot, app, screen.query_one(QuizPanel), "(2, 1)")
        await pilot.pause(0.2)
        assert screen.session.lesson_complete
        end = screen.query_one("#lesson-end")
        assert str(end.render()).startswith("✓ Lesson complete: Mini lesson.")
        assert str(screen.query_one("#location").render()).startswith("✓ Mini lesson")
        # Nothing lies over the step's text.
        for toast in screen.query(Toast):
            assert not toast.region.overlaps(screen.step_view.region)


async def test_a_steps_cell_run_from_a_later_step_completes_it(make_app, progress) -> None:
    """Issue #14 walkthrough: a learner answered step 2's quiz before running its cell, went
    on, and F5 on step 3 ran that cell first; step 2 stayed open, so the lesson never
    completed (the last step listed it as still to do)."""
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, 1)
        await answer(pilot, app, screen.query_one(QuizPanel), "14")  # no cell run yet
        await pilot.press("escape", "f8", "f5")
        await app.workers.wait_for_complete()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await answer(pilot, app, screen.query_one(QuizPanel), "(2, 1)")
        await pilot.pause()
        assert screen.session.lesson_complete
        assert str(screen.query_one("#lesson-end").render()).startswith("✓ Lesson complete")
