"""The serve process's handle on the UI zygote (tutor.app_zygote): apps forked, not spawned.

`launch` hands the zygote a pseudo-terminal's slave fd with the app's arguments and
environment, and returns the new app's pid; `exited(pid)` resolves with its exit status. If the
UI zygote cannot start, the serve process spawns each app instead (tutor.serve.pty_app).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import socket
import sys
from typing import Any

from tutor.i18n import _
from tutor.runner import protocol

#: Seconds the UI zygote has to import Textual and the app, and to answer a launch.
READY_S = 60.0
LAUNCH_S = 10.0


class AppLauncher:
    """One UI zygote process and its control socket."""

    def __init__(self, lessons: str | None = None) -> None:
        #: The lesson folder the apps are given (the UI zygote parses it before forking).
        self.lessons = lessons
        self.control: socket.socket | None = None
        self.process: asyncio.subprocess.Process | None = None
        self.frames = protocol.FrameBuffer()
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.exits: dict[int, asyncio.Future[int]] = {}
        self.tokens = itertools.count()
        self.ready: asyncio.Future[None] | None = None

    async def start(self) -> None:
        """Start the UI zygote and wait until it has imported the app."""
        loop = asyncio.get_running_loop()
        ours, theirs = socket.socketpair()
        self.ready = loop.create_future()
        lessons = ["--lessons", self.lessons] if self.lessons else []
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tutor.app_zygote", "--control", str(theirs.fileno()),
                *lessons, pass_fds=[theirs.fileno()], stdin=asyncio.subprocess.DEVNULL,
                start_new_session=True)
        finally:
            theirs.close()
        self.control = ours
        ours.setblocking(False)
        loop.add_reader(ours.fileno(), self._on_control)
        await asyncio.wait_for(self.ready, READY_S)

    def _on_control(self) -> None:
        assert self.control is not None
        try:
            data = self.control.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._gone()
            return
        for message in self.frames.feed(data):
            event = message.get("event")
            if event == "ready" and self.ready is not None and not self.ready.done():
                self.ready.set_result(None)
            elif event == "started":
                future = self.waiting.pop(str(message.get("token")), None)
                if future is not None and not future.done():
                    future.set_result(message)
                else:  # its launch gave up waiting: nobody reads this app's terminal
                    with contextlib.suppress(OSError):
                        os.killpg(int(message["pid"]), signal.SIGKILL)
            elif event == "exit":
                done = self.exited(int(message["pid"]))
                if not done.done():
                    done.set_result(int(message["status"]))

    def _gone(self) -> None:
        assert self.control is not None
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.control.fileno())
        self.control.close()
        self.control = None
        futures: list[asyncio.Future[Any]] = [*self.waiting.values(), *self.exits.values()]
        for future in futures:
            if not future.done():
                future.set_exception(OSError(_("the UI zygote stopped")))

    def exited(self, pid: int) -> asyncio.Future[int]:
        """Resolves with the app's exit status (negative: the signal that ended it); the
        caller forgets it with `forget` once it has it."""
        if pid not in self.exits:
            self.exits[pid] = asyncio.get_running_loop().create_future()
        return self.exits[pid]

    async def launch(self, args: list[str], env: dict[str, str], slave: int) -> int:
        """Fork an app on the terminal whose slave end is `slave`; its pid."""
        if self.control is None:
            raise OSError(_("the UI zygote is not running"))
        token = str(next(self.tokens))
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[token] = future
        self.control.setblocking(True)
        try:
            protocol.send(self.control, {"args": args, "env": env, "token": token},
                          fds=[slave])
        finally:
            self.control.setblocking(False)
        try:
            answer = await asyncio.wait_for(future, LAUNCH_S)
        except asyncio.TimeoutError:
            self.waiting.pop(token, None)
            raise OSError(_("the UI zygote did not start the app within {seconds} s").format(
                seconds=f"{LAUNCH_S:g}")) from None
        return int(answer["pid"])

    def forget(self, pid: int) -> None:
        """Drop an ended app's exit status."""
        self.exits.pop(pid, None)

    async def close(self) -> None:
        """End the UI zygote (it ends any app still running)."""
        if self.control is not None:
            self._gone()
        if self.process is not None:
            try:
                await asyncio.wait_for(self.process.wait(), 5)
            except asyncio.TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, 9)
