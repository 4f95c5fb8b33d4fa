"""One student's app: `tutor` in a subprocess on a real pseudo-terminal, wired to an SSH channel.

The app is the same program as a local `tutor`; what differs is its environment (TERM from the
client, TUTOR_HOME in the class directory, the shared runner's socket, the sandbox policy, the
class's message file). The app's process group is its own; a hang-up sends it SIGHUP (it saves
and exits, closing its runner connection, which ends its workers) and SIGKILL after a grace.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import pty
import signal
import struct
import sys
import termios
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.serve.app_launcher import AppLauncher

#: Seconds a hung-up app has to exit before its process group is killed.
HANGUP_GRACE_S = 1.5


def set_window(fd: int, columns: int, rows: int) -> None:
    """Tell the pseudo-terminal its size."""
    with contextlib.suppress(OSError):
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


class PtyApp:
    """A `tutor` process on a pseudo-terminal; output goes to `write`, input comes from `feed`."""

    def __init__(self, args: list[str], env: dict[str, str], columns: int, rows: int,
                 write: Callable[[bytes], None], on_exit: Callable[[int], None],
                 launcher: AppLauncher | None = None) -> None:
        self.args = args
        #: Forks the app from the UI zygote; without one the app is a fresh interpreter.
        self.launcher = launcher
        self.env = env
        self.size = (columns, rows)
        self.write = write
        self.on_exit = on_exit
        self.master = -1
        #: The app's pid (also its process group's id), once started.
        self.pid: int | None = None
        #: The app's exit status, once it has ended.
        self.status: int | None = None
        self.reading = False
        self.waiter: asyncio.Future[None] | None = None

    @property
    def running(self) -> bool:
        """Whether the app has started and not yet ended."""
        return self.pid is not None and self.status is None

    async def start(self) -> None:
        """Start the app on a fresh pseudo-terminal of the client's size."""
        master, slave = pty.openpty()
        set_window(slave, *self.size)
        ended: Awaitable[int]
        try:
            if self.launcher is not None:
                self.pid = await self.launcher.launch(self.args, self.env, slave)
                ended = self.launcher.exited(self.pid)
            else:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "tutor", *self.args, stdin=slave, stdout=slave,
                    stderr=slave, env=self.env, start_new_session=True, close_fds=True)
                self.pid, ended = process.pid, process.wait()
        except BaseException:
            os.close(master)
            raise
        finally:
            os.close(slave)
        self.master = master
        os.set_blocking(master, False)
        self.resume()
        self.waiter = asyncio.ensure_future(self._wait(ended))

    def _on_output(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: every holder of the terminal's other side has gone
            data = b""
        if not data:
            self.pause()
            return
        self.write(data)

    def pause(self) -> None:
        """Stop reading the app's output (the SSH channel is full, or the app has gone)."""
        if self.reading:
            asyncio.get_running_loop().remove_reader(self.master)
            self.reading = False

    def resume(self) -> None:
        """Read the app's output again."""
        if not self.reading and self.master >= 0:
            asyncio.get_running_loop().add_reader(self.master, self._on_output)
            self.reading = True

    def feed(self, data: bytes) -> None:
        """Keys from the student, as their terminal sent them."""
        view = memoryview(data)
        tries = 0
        while view and self.master >= 0 and tries < 1000:
            try:
                written = os.write(self.master, view)
            except BlockingIOError:  # an app that stops reading its keys loses the surplus
                tries += 1
                continue
            except OSError:
                return
            view = view[written:]

    def resize(self, columns: int, rows: int) -> None:
        """The student's window changed: resize the terminal and tell the app (SIGWINCH)."""
        self.size = (columns, rows)
        if self.master >= 0:
            set_window(self.master, columns, rows)
        self.signal(signal.SIGWINCH)

    def signal(self, signum: int) -> None:
        """Signal the app's whole process group."""
        if self.pid is not None and self.status is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signum)

    async def hang_up(self) -> None:
        """The connection dropped: SIGHUP now, SIGKILL to the group if it has not exited."""
        self.signal(signal.SIGHUP)
        if self.waiter is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self.waiter), HANGUP_GRACE_S)
        except asyncio.TimeoutError:
            self.signal(signal.SIGKILL)

    async def _wait(self, ended: Awaitable[int]) -> None:
        assert self.pid is not None
        try:
            code = await ended
        except OSError:  # the UI zygote went, and its apps with it
            code = -9
        self.status = code
        if self.launcher is not None:
            self.launcher.forget(self.pid)
        with contextlib.suppress(OSError):  # what the app wrote last (its goodbye)
            while self.reading and (data := os.read(self.master, 65536)):
                self.write(data)
        self.pause()
        os.close(self.master)
        self.master = -1
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # anything the app left in its group
        self.on_exit(code)
