"""A `tutor` console script in a real pseudo-terminal (80x24, TERM=xterm), read back with pyte,
a terminal emulator, so a test sees what a learner sees. Shared by the e2e tests (the `terminal`
fixture is in conftest.py)."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pyte

TUTOR = Path(sys.executable).with_name("tutor")
COLUMNS, ROWS = 80, 24


class Terminal:
    """A `tutor` process in a pseudo-terminal, with the screen it has drawn so far."""

    def __init__(self, home: Path, *args: str) -> None:
        env = {**os.environ, "TERM": "xterm", "TUTOR_HOME": str(home), "COLUMNS": str(COLUMNS),
               "LINES": str(ROWS)}
        env.pop("TUTOR_KEYS", None)
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.child = pexpect.spawn(str(TUTOR), [*args, "--device", "cpu"], env=env,
                                   dimensions=(ROWS, COLUMNS), timeout=1)

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    def pump(self) -> None:
        """Feed whatever the app wrote since last time to the emulator."""
        while True:
            try:
                data = self.child.read_nonblocking(65536, timeout=0.05)
            except (pexpect.TIMEOUT, pexpect.EOF):
                return
            self.stream.feed(data)

    def wait_for(self, condition: str | Callable[[str], bool], deadline_s: float = 15.0) -> str:
        """Poll the screen until it shows `condition` (text, or a predicate of the text)."""
        test = condition if callable(condition) else (lambda text: condition in text)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            self.pump()
            if test(self.text):
                return self.text
        raise AssertionError(f"the screen never showed {condition!r}; it shows:\n{self.text}")

    def press(self, *keys: str) -> None:
        """Send keys: xterm escape sequences for named keys, text as typed."""
        for key in keys:
            self.child.send(KEYS.get(key, key))
            self.pump()

    def close(self) -> None:
        if self.child.isalive():
            self.child.kill(signal.SIGKILL)
        self.child.close(force=True)


#: What xterm sends for the keys these tests press.
KEYS = {"f2": "\x1bOQ", "f5": "\x1b[15~", "f8": "\x1b[19~", "enter": "\r",
        "ctrl+q": "\x11", "escape": "\x1b", "down": "\x1bOB"}
