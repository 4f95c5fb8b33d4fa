"""A simulated student: an asyncssh client with a pseudo-terminal, the screen read with pyte.

Used by tests/serve and bench/classroom.py. Keys are what xterm sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import asyncssh
import pyte

KEYS = {"f2": "\x1bOQ", "f5": "\x1b[15~", "f8": "\x1b[19~", "enter": "\r", "ctrl+q": "\x11",
        "escape": "\x1b", "down": "\x1bOB"}


def new_key() -> asyncssh.SSHKey:
    """A fresh ed25519 key pair."""
    return asyncssh.generate_private_key("ssh-ed25519")


def students_line(name: str, key: asyncssh.SSHKey) -> str:
    """The DIR/students line for `name` with `key`."""
    return f"{name} {key.export_public_key('openssh').decode().strip()}\n"


class Student(asyncssh.SSHClientSession):
    """One SSH session's screen (pyte), fed as bytes arrive."""

    def __init__(self, columns: int = 100, rows: int = 30) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.changed = asyncio.Event()
        self.closed = asyncio.Event()
        self.raw = bytearray()
        self.chan: asyncssh.SSHClientChannel | None = None
        self.conn: asyncssh.SSHClientConnection | None = None

    def data_received(self, data: bytes, datatype: object) -> None:
        self.raw += data[-4096:]
        self.stream.feed(data)
        self.changed.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()
        self.changed.set()

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def wait_for(self, condition: str | Callable[[str], bool],
                       deadline_s: float = 30.0) -> float:
        """Wait until the screen shows `condition`; the monotonic time it did."""
        test = condition if callable(condition) else (lambda text: condition in text)
        end = time.monotonic() + deadline_s
        while not test(self.text):
            if self.closed.is_set():
                raise AssertionError(f"closed before showing {condition!r}:\n{self.text}")
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"the screen never showed {condition!r}:\n{self.text}")
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)
        return time.monotonic()

    def press(self, *keys: str) -> None:
        """Send keys (named ones as xterm sends them; anything else as typed)."""
        assert self.chan is not None
        for key in keys:
            self.chan.write(KEYS.get(key, key).encode())

    def close(self) -> None:
        if self.conn is not None:
            self.conn.abort()


async def connect(port: int, key: asyncssh.SSHKey, columns: int = 100, rows: int = 30,
                  username: str = "student") -> Student:
    """A student connected to `tutor serve` on 127.0.0.1 with a pseudo-terminal."""
    conn = await asyncssh.connect("127.0.0.1", port, username=username, client_keys=[key],
                                  known_hosts=None, agent_path=None, config=[])
    chan, student = await conn.create_session(
        lambda: Student(columns, rows), term_type="xterm-256color",
        term_size=(columns, rows), encoding=None)
    student.chan, student.conn = chan, conn
    return student
