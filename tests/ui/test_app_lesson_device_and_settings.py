"""The app and its surroundings: a device that cannot be used, the theme setting, no lessons."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label
from ui_helpers import plain, wait_until

from tutor.course import load_course
from tutor.runner.state import RunnerState
from tutor.settings import Settings, load_settings
from tutor.ui.app import TutorApp
from tutor.ui.screens.device_choice import DeviceChoiceScreen
from tutor.ui.screens.lesson import LessonScreen


async def test_an_unusable_device_is_said_at_start_and_the_cpu_offered(
    course, progress
) -> None:
    # No machine has a hundredth CUDA device: the runner cannot start on it anywhere.
    app = TutorApp(course, progress=progress, lesson="mini", device="cuda:99")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, DeviceChoiceScreen), tries=1500)
        choice = app.screen
        assert isinstance(choice, DeviceChoiceScreen)
        await pilot.pause()
        assert "cuda:99" in str(choice.query_one("#device-problem").render())
        # The runner's reason follows, said once (it read "The runner cannot compute on
        # 'cuda:99': The runner cannot start: …").
        said = " ".join(str(label.render()) for label in choice.query(Label))
        assert "cuda:99" in str(choice.query_one("#device-reason").render())
        assert said.count("The runner cannot") <= 1
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.runner.state == RunnerState.READY, tries=1500)
        screen = app.screen
        assert isinstance(screen, LessonScreen) and app.device == "cpu"
        await pilot.press("f8", "f5")
        await app.workers.wait_for_complete()
        assert screen.ran_through == 1
        assert app.runner.device_info["device"] == "cpu"


async def test_the_theme_comes_from_the_settings_and_a_new_choice_is_saved(
    make_app, course, runner, progress, tutor_home
) -> None:
    path = tutor_home / "settings.toml"
    path.write_text('theme = "textual-light"\n[keys]\nzoom = "f11"\n', encoding="utf-8")
    app = TutorApp(course, runner=runner, progress=progress, settings=load_settings(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-light"
        app.theme = "nord"
        await pilot.pause()
    saved = load_settings(path)
    assert saved.theme == "nord" and saved.keys == {"zoom": "f11"}


async def test_an_unknown_theme_is_reported(course, runner, progress, tmp_path) -> None:
    settings = Settings(theme="no-such-theme", path=tmp_path / "settings.toml")
    app = TutorApp(course, runner=runner, progress=progress, settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert any("Unknown theme 'no-such-theme'" in m for m in messages)
        assert app.theme == "textual-dark"


async def test_an_empty_lesson_list_says_which_folder_it_searched(
    runner, progress, tmp_path: Path
) -> None:
    empty = tmp_path / "no-lessons-here"
    empty.mkdir()
    app = TutorApp(load_course(empty), runner=runner, progress=progress)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        options = app.screen.query_one("#lessons")
        assert plain(options.get_option_at_index(0).prompt).strip() == (
            f"No lessons found in {empty}.")
