"""The real app in a pseudo-terminal survives bytes that are not UTF-8 (issue #10, item 10)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path

import pexpect
import pyte
import pytest
from ui_helpers import write_lessons

TUTOR = Path(sys.executable).with_name("tutor")

pytestmark = pytest.mark.skipif(
    not TUTOR.exists() or sys.platform == "win32", reason="needs the console script and a pty")


def screen_shows(child: pexpect.spawn, stream: pyte.ByteStream, screen: pyte.Screen,
                 text: str, deadline_s: float = 20.0) -> bool:
    """Feed the app's output to the emulator until the screen shows `text`."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        with contextlib.suppress(pexpect.TIMEOUT):
            stream.feed(child.read_nonblocking(65536, timeout=0.1))
        if text in "\n".join(screen.display):
            return True
    return False


def test_a_stray_0xff_byte_does_not_end_the_app(tmp_path: Path) -> None:
    lessons = write_lessons(tmp_path / "lessons")
    env = {**os.environ, "TERM": "xterm", "TUTOR_HOME": str(tmp_path / "home")}
    env.pop("TUTOR_KEYS", None)
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
    child = pexpect.spawn(str(TUTOR), ["--lessons", str(lessons), "--device", "cpu"], env=env,
                          dimensions=(24, 80), timeout=1)
    try:
        assert screen_shows(child, stream, screen, "Mini lesson")
        child.send(b"\xff")
        child.send(b"\x1bOP")  # F1 in xterm: the app must still read keys and answer
        assert screen_shows(child, stream, screen, "Escape closes this help"), \
            "\n".join(screen.display)
        assert child.isalive()
    finally:
        if child.isalive():
            child.kill(signal.SIGKILL)
        child.close(force=True)
