"""The lesson list: progress, broken files with their errors, resume, help, too-small."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from textual.widgets import OptionList
from ui_helpers import plain

from tutor.commands.app import run_app
from tutor.course import Course
from tutor.ui.screens.help import HelpScreen, help_rows
from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.screens.lesson_list import LessonListScreen
from tutor.ui.widgets.too_small import TooSmall


def option_texts(app: object) -> list[str]:
    options = app.screen.query_one(OptionList)  # type: ignore[attr-defined]
    return [plain(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_lists_lessons_with_progress_and_broken_files(make_app, course: Course) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LessonListScreen)
        texts = option_texts(app)
        assert "1. Mini lesson" in texts[0] and "0/3 steps · 0/2 quizzes" in texts[0]
        assert "2. Second lesson" in texts[1]
        broken = texts[2]
        assert "03-broken.md: cannot be opened" in broken
        assert course.errors, "the test course has a broken file"
        for error in course.errors:
            assert str(error) in broken  # file:line: message
        assert "unknown quiz type 'essay'" in broken


async def test_status_bar_shows_device_and_runner_state(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.device_text == "cpu"
        assert app.runner_text == "ready"


async def test_enter_opens_the_highlighted_lesson_and_escape_returns(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, LessonScreen)
        assert app.screen.lesson.id == "mini"
        await pilot.press("escape")
        assert isinstance(app.screen, LessonListScreen)


async def test_resume_highlights_last_lesson_and_opens_at_last_step(make_app, progress) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")  # the second lesson
        await pilot.press("escape")
        await pilot.press("up", "enter")  # the mini lesson, then on to step 3
        await pilot.press("f8", "f8")
        assert app.screen.step_index == 2
    assert progress.position("mini") == 2
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        highlighted = again.screen.query_one(OptionList).highlighted_option
        assert highlighted is not None and highlighted.id == "mini"
        await pilot.press("enter")
        assert isinstance(again.screen, LessonScreen)
        assert again.screen.step_index == 2


async def test_help_screen_lists_every_key(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app.screen.under, app.screen.keymap)
        text = "\n".join(f"{keys} {does}" for keys, does in rows)
        for words in ("F5 / Ctrl+R", "Run the current cell", "F6 / Ctrl+G", "F9",
                      "Escape", "Ctrl+Q"):
            assert words in text
        await pilot.press("escape")
        assert isinstance(app.screen, LessonScreen)


async def test_help_at_the_lesson_list_says_enter_opens_a_lesson(make_app) -> None:
    """Enter belongs to the list itself (so it waits behind arrows typed before it); the help
    and the footer still show it."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Open" in {active.binding.description
                          for active in app.screen.active_bindings.values()}
        await pilot.press("f1")
        rows = dict(help_rows(app.screen.under, app.screen.keymap))
        assert rows["Enter"] == "Open the highlighted lesson at its last step"
        assert "Down" not in rows  # the list's own arrows are Textual's, not listed


async def test_command_palette_lists_the_screen_actions(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Run (f5, ctrl+r)" in titles
        assert any(title.startswith("Reveal") for title in titles)


async def test_too_small_message(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        message = app.screen.query_one(TooSmall)
        assert message.display and message.region.width == 60
        assert "needs at least 80×24" in str(message.render())
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert message.region.width == 0 or not message.display


def test_unknown_lesson_exits_2(tmp_path: Path, capsys) -> None:
    from ui_helpers import write_lessons

    args = argparse.Namespace(lessons=write_lessons(tmp_path / "l"), lang=None, device="cpu")
    assert run_app(args, "no-such-lesson") == 2
    err = capsys.readouterr().err
    assert "no lesson 'no-such-lesson'" in err and "mini" in err


def test_importing_the_app_leaves_torch_out() -> None:
    code = "import sys, tutor.ui.app, tutor.commands.app; print('torch' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
