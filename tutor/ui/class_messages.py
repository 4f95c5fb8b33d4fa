"""The teacher's messages in a served student's app: new lines of the class's message file.

`tutor serve` names the file in TUTOR_CLASS_MESSAGES (tutor.runner.shared); the app looks at
it every second and shows each new line as a notification. Lines written before the app
started are not shown. A served app also ends cleanly on a hang-up (`tutor serve` sends SIGHUP
when the student's connection goes), as on Ctrl+Q: its queued progress writes land first.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path
from typing import Any

from textual.app import App

from tutor.i18n import _
from tutor.runner.shared import MESSAGES_VARIABLE
from tutor.text import printable

#: Seconds between two looks at the file.
POLL_S = 1.0
#: Seconds a message stays on screen.
SHOW_S = 30


class MessageWatcher:
    """Reads what was appended to the message file since the last look."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = self._size()

    def _size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def new_lines(self) -> list[str]:
        """Whole lines added since the last call."""
        size = self._size()
        if size < self.offset:  # the file was replaced: start again at its end
            self.offset = size
        if size == self.offset:
            return []
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read(size - self.offset)
        complete = data.rpartition(b"\n")[0]
        if not complete:
            return []
        self.offset += len(complete) + 1
        return [printable(line) for line in complete.decode(errors="replace").splitlines()
                if line.strip()]


def watch_class_messages(app: App[Any]) -> MessageWatcher | None:
    """Show the teacher's messages in `app`, if it is served by `tutor serve`."""
    name = os.environ.get(MESSAGES_VARIABLE)
    if not name:
        return None
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, app.exit)
    watcher = MessageWatcher(Path(name))

    def look() -> None:
        for line in watcher.new_lines():
            app.notify(line, title=_("From your teacher"), timeout=SHOW_S, markup=False)

    app.set_interval(POLL_S, look)
    return watcher
