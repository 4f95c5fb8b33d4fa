"""Covers a screen that is smaller than the app can lay out, and says what to do."""

from __future__ import annotations

from textual.widgets import Static

from tutor.i18n import _

#: The smallest terminal the layout is designed for.
MIN_WIDTH, MIN_HEIGHT = 80, 24


class TooSmall(Static):
    """Shown (by the screen's breakpoint classes) when the terminal is below 80x24."""

    def render(self) -> str:
        width, height = self.app.size
        return _("This terminal is {width}×{height}; tutor needs at least {min_width}×"
                 "{min_height}.\n\nEnlarge the window or make the font smaller. Ctrl+Q quits."
                 ).format(width=width, height=height, min_width=MIN_WIDTH, min_height=MIN_HEIGHT)

