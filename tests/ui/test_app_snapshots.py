"""Snapshots of the main screens (pytest-textual-snapshot): the lesson screen at 80x24, 120x24,
120x40 and 200x50 with "✓ done", the Tensors table and a quiz verdict, in the default theme, in
16 colours (the ANSI theme the app picks there) and with NO_COLOR.

The snapshot plugin runs each app on an event loop of its own, so the apps share one CPU runner
that lives on a loop in another thread (thread_runner.py); the course is read from a relative
folder so that file names in the snapshots do not depend on tmp paths.
Update with `pytest tests/ui --snapshot-update` after checking the new images by eye.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from ui_helpers import write_lessons

from tutor.course import load_course
from tutor.progress import ProgressStore
from tutor.ui.app import TutorApp


@pytest.fixture
def snap_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, snapshot_runner):
    monkeypatch.chdir(tmp_path)
    write_lessons(Path("lessons"))
    store = ProgressStore(tmp_path / "home" / "progress.sqlite")

    def make(lesson: str | None = None) -> TutorApp:
        return TutorApp(load_course(Path("lessons")), runner=snapshot_runner, progress=store,
                        lesson=lesson, device="cpu")

    yield make
    store.close()


async def ready(pilot: Pilot[object]) -> None:
    await pilot.app.runner_ready()  # type: ignore[attr-defined]
    await pilot.pause()


async def run_step_one(pilot: Pilot[object]) -> None:
    """Go to the step with gradients and run its cell."""
    await ready(pilot)
    await pilot.press("f8", "f5")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_lesson_list_80x24(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app(), terminal_size=(80, 24), run_before=ready)


def test_lesson_80x24_after_a_run(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app("mini"), terminal_size=(80, 24), run_before=run_step_one)


def test_lesson_120x40_after_a_run(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app("mini"), terminal_size=(120, 40), run_before=run_step_one)


def test_help_80x24(snap_compare, snap_app) -> None:
    async def help_screen(pilot: Pilot[object]) -> None:
        await ready(pilot)
        await pilot.press("f1")

    assert snap_compare(snap_app("mini"), terminal_size=(80, 24), run_before=help_screen)


def test_too_small_60x20(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app(), terminal_size=(60, 20), run_before=ready)


async def answer_right(pilot: Pilot[object]) -> None:
    """Run the step's cell and answer its quiz: output with "✓ done" and a verdict."""
    await run_step_one(pilot)
    await pilot.press("f2", "1", "4", "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.press("escape")  # out of the answer field: its blinking cursor is not drawn
    await pilot.pause()


def in_sixteen_colours(then):
    """`then`, in the theme the app picks on a 16-colour terminal."""
    async def run_before(pilot: Pilot[object]) -> None:
        pilot.app.theme = "ansi-dark"
        await then(pilot)
    return run_before


async def tensors_tab(pilot: Pilot[object]) -> None:
    """After the run and the verdict, the Tensors tab (values first)."""
    await answer_right(pilot)
    await pilot.press("f10")
    await pilot.pause()


def test_lesson_80x24_verdict_16_colours(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app("mini"), terminal_size=(80, 24),
                        run_before=in_sixteen_colours(answer_right))


def test_lesson_80x24_tensors_no_color(snap_compare, snap_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(snap_app("mini"), terminal_size=(80, 24), run_before=tensors_tab)


def test_lesson_120x24_verdict_no_color(snap_compare, snap_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(snap_app("mini"), terminal_size=(120, 24), run_before=answer_right)


def test_lesson_120x24_tensors_16_colours(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app("mini"), terminal_size=(120, 24),
                        run_before=in_sixteen_colours(tensors_tab))


def test_lesson_120x40_verdict_16_colours(snap_compare, snap_app) -> None:
    assert snap_compare(snap_app("mini"), terminal_size=(120, 40),
                        run_before=in_sixteen_colours(answer_right))


def test_lesson_200x50_verdict_no_color(snap_compare, snap_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(snap_app("mini"), terminal_size=(200, 50), run_before=answer_right)
