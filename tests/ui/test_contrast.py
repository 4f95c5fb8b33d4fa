"""Every text the app draws meets WCAG AA contrast (4.5:1): in Textual's dark and light themes
in true colour and 256 colours, in 16 colours (the ANSI theme the app picks there, shown with
xterm's palette) and with NO_COLOR. Computed from the rendered screen's styles (contrast.py).

Textual's other bundled themes are not all measured: several start below AA in their own
colours, and tutor/ui/legible.py lifts most, not all, of them.
"""

from __future__ import annotations

import pytest
from contrast import low_contrast
from textual.widgets import DataTable

from tutor.ui.screens.lesson import LessonScreen

#: (theme, colour depths it is measured in)
THEMES = {"textual-dark": ("truecolor", "256"), "textual-light": ("truecolor", "256"),
          "ansi-dark": ("16",)}


async def states(pilot, app):
    """Walk through the screens a learner sees, yielding a name for each."""
    await pilot.pause()
    yield "lesson list"
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, LessonScreen)
    await pilot.press("f8", "f5")
    await app.workers.wait_for_complete()
    await pilot.pause()
    yield "after a run (editor, output)"
    app.screen.query_one("#cell-0 TextArea").focus()
    await pilot.pause()
    yield "editor focused"
    await pilot.press("f2", *"15", "enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    yield "wrong answer"
    await pilot.press("f10")
    app.screen.query_one("#tensors", DataTable).focus()
    await pilot.pause()
    yield "tensors table focused"
    await pilot.press("f1")
    await pilot.pause()
    yield "help"


def failures(app, modes: tuple[str, ...], state: str) -> list[str]:
    # Over a faded screen only the dialog is meant to be read.
    dialog = app.screen.query_one("#help").region if state == "help" else None
    return [f"{app.theme} {mode} {state}: {finding}"
            for mode in modes for finding in low_contrast(app, mode, region=dialog)]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_every_text_is_readable_in_each_theme(make_app, size) -> None:
    app = make_app()
    found: list[str] = []
    themes = list(THEMES.items())
    async with app.run_test(size=size) as pilot:
        async for state in states(pilot, app):
            # Each state starts in the theme the last one ended in (every theme is measured in
            # every state; a theme change restyles the whole screen, which is what costs).
            if app.theme != themes[0][0]:
                themes.reverse()
            for theme, modes in themes:
                if app.theme != theme:
                    app.theme = theme
                    await pilot.pause()
                found += failures(app, modes, state)
    assert not found, "\n".join(found[:40])


async def test_every_text_is_readable_without_colour(make_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    found: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        async for state in states(pilot, app):
            found += failures(app, ("256",), state)
    assert not found, "\n".join(found[:40])
