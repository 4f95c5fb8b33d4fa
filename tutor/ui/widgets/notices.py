"""One notice at a time on a screen: toasts that never pile up over the panes."""

from __future__ import annotations

import time

from textual.notifications import SeverityLevel

from tutor.ui.translated import TranslatedScreen


class OneNotice(TranslatedScreen[None]):
    """A screen whose `notify` replaces the notice on show and does not repeat it while it shows.

    Several toasts at once covered the pane tab row; a key pressed again (F7 on the first step)
    stacked the same message. Errors are in the Output pane as well, so replacing loses nothing.
    """

    _notice: tuple[str, float] = ("", 0.0)
    """The notice on show, and until when (monotonic seconds)."""

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        shown, until = self._notice
        if message == shown and time.monotonic() < until:
            return
        self.app.clear_notifications()
        seconds = self.app.NOTIFICATION_TIMEOUT if timeout is None else timeout
        self._notice = (message, time.monotonic() + seconds)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
