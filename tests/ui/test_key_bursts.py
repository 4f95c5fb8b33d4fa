"""Keys that arrive together (a paste of keystrokes, tmux `send-keys`, a slow SSH link that
delivers a burst) act in the order they were typed: a screen's priority keys (Enter on the
lesson list, F5 in a lesson) run after the keys before them have reached the focused widget."""

from __future__ import annotations

from test_app_lesson import open_at_step
from textual import events
from textual.widgets import OptionList

from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.widgets.cell_editor import CellEditor


def burst(app: object, *keys: str) -> None:
    """Post `keys` at once, as a terminal's one read of several keystrokes is."""
    for key in keys:
        app.post_message(events.Key(key, None))  # type: ignore[attr-defined]


async def test_down_then_enter_in_one_burst_opens_the_lesson_moved_to(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.highlighted == 0
        burst(app, "down", "enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == app.course.lessons[1].id


async def test_typing_then_f9_in_one_burst_puts_the_lessons_code_back(make_app) -> None:
    """F9 waits for the keys typed before it: the cell ends as the lesson wrote it, not with
    the typed text added after the reset."""
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_at_step(pilot, app, 1)
        editor = screen.query_one(CellEditor)
        original = editor.editor.text
        editor.editor.focus()
        await pilot.pause()
        burst(app, *"xyz", "f9")
        await pilot.pause()
        await pilot.pause()
        assert editor.editor.text == original
