"""The client's handle on one worker: its socket, its output pipe, and the request in flight.

Replies are matched to the request by id; any other frame is dropped and logged. A frame that
breaks the protocol (too long, not JSON) ends the link at once. Output is read only while a
request is in flight: what a thread prints between requests stays in the pipe (whose writer then
blocks) and is discarded when the next request starts, so an idle worker costs the UI nothing.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from tutor.i18n import ngettext
from tutor.runner import protocol

log = logging.getLogger("tutor.runner")
log.addHandler(logging.NullHandler())  # never Python's last-resort print to the terminal

#: Bytes discarded at most when a request starts (what was printed between requests).
STALE_OUTPUT_LIMIT = 1 << 20


@dataclass(frozen=True)
class Fault:
    """Why a request got no reply (for `protocol`, `detail` says what was wrong)."""

    kind: Literal["eof", "exit", "protocol", "closed"]
    detail: str = ""


class Output:
    """Collects one request's output, streaming it and truncating past the limit."""

    def __init__(self, limit: int, on_output: Callable[[str], None] | None) -> None:
        self.limit = limit
        self.on_output = on_output
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def write(self, text: str) -> None:
        room = self.limit - self.size
        kept = text[: max(room, 0)]
        self.dropped += len(text) - len(kept)
        if kept:
            self.parts.append(kept)
            self.size += len(kept)
            if self.on_output is not None:
                self.on_output(kept)

    def result(self) -> tuple[str, bool]:
        """The kept text, ending with a note when some was dropped (streamed too, once)."""
        note = ""
        if self.dropped:
            note = "\n[{}]\n".format(ngettext(
                "output truncated: {count} more character not shown",
                "output truncated: {count} more characters not shown", self.dropped,
            ).format(count=self.dropped))
            if self.on_output is not None:
                self.on_output(note)
        return "".join(self.parts) + note, bool(self.dropped)


class WorkerLink:
    """One worker process as the client sees it."""

    def __init__(self, pid: int, sock_fd: int, out_fd: int, seed: int) -> None:
        self.pid = pid
        self.seed = seed
        self.sock = socket.socket(fileno=sock_fd)
        self.sock.setblocking(False)
        self.out_fd = out_fd
        os.set_blocking(out_fd, False)
        self.loop = asyncio.get_running_loop()
        self.frames = protocol.FrameBuffer()
        self.lock = asyncio.Lock()
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.sink: Callable[[str], None] | None = None
        self.request_id: str | None = None
        self.reply: asyncio.Future[dict[str, Any] | Fault] = self.loop.create_future()
        self.hello: asyncio.Future[dict[str, Any] | Fault] = self.loop.create_future()
        self.exit_status: asyncio.Future[int] = self.loop.create_future()
        #: Why the zygote ended this worker (a limit), if it did.
        self.ended_because: str | None = None
        self.stop_reason: str | None = None
        self.interrupt_sent = False
        self.interrupt_maybe_pending = False
        self.wake = asyncio.Event()
        #: Its zygote is gone: whatever ends it must end its whole tree itself.
        self.orphan = False
        self.alive = True
        self.fault: Fault | None = None
        self.loop.add_reader(self.sock.fileno(), self._on_socket)

    def _resolve(self, outcome: dict[str, Any] | Fault) -> None:
        target = self.hello if not self.hello.done() else self.reply
        if not target.done():
            target.set_result(outcome)

    def _on_socket(self) -> None:
        """Read what the socket holds; hand the awaited reply over, drop anything else."""
        while self.alive and self.fault is None:
            try:
                data = self.sock.recv(1 << 18)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                self._fail(Fault("eof"))
                return
            try:
                messages = self.frames.feed(data)
            except protocol.ProtocolError as exc:
                self._fail(Fault("protocol", str(exc)))
                return
            for message in messages:
                if not self.hello.done() and "hello" in message:
                    self.hello.set_result(message)
                elif self.request_id is not None and message.get("id") == self.request_id:
                    self.request_id = None
                    if not self.reply.done():
                        self.reply.set_result(message)
                else:
                    log.warning("worker %d: dropped a frame that answers no request (%.80r)",
                                self.pid, message)

    def _fail(self, fault: Fault) -> None:
        self.fault = fault
        with contextlib.suppress(ValueError, RuntimeError, OSError):
            self.loop.remove_reader(self.sock.fileno())
        self._resolve(fault)

    def exited(self, status: int) -> None:
        """The zygote says the worker ended: pick up a reply already sent, then fail."""
        if not self.exit_status.done():
            self.exit_status.set_result(status)
        self._on_socket()
        self._fail(self.fault or Fault("exit"))

    async def send(self, request_id: str, message: dict[str, Any],
                   sink: Callable[[str], None]) -> None:
        """Start a request: discard stale output, listen for this one's, send the frame."""
        self.reply = self.loop.create_future()
        if self.fault is not None:
            self.reply.set_result(self.fault)
            return
        self.request_id = request_id
        self.stop_reason = None
        self.interrupt_sent = False
        self.wake.clear()
        self._discard_output()
        self.sink = sink
        with contextlib.suppress(ValueError, RuntimeError, OSError):
            self.loop.add_reader(self.out_fd, self.read_output)
        try:
            await self.loop.sock_sendall(self.sock, protocol.encode(message))
        except OSError:
            self._fail(Fault("eof"))

    def finish(self) -> None:
        """End the request: take the rest of its output, then stop listening."""
        self.read_output()
        self.sink = None
        self.request_id = None
        with contextlib.suppress(ValueError, RuntimeError, OSError):
            self.loop.remove_reader(self.out_fd)

    def _discard_output(self) -> None:
        dropped = 0
        while self.alive and dropped < STALE_OUTPUT_LIMIT:
            try:
                data = os.read(self.out_fd, 65536)
            except (BlockingIOError, OSError):
                break
            if not data:
                break
            dropped += len(data)
        self.decoder.reset()

    def read_output(self) -> None:
        """Move what the output pipe holds to the current request."""
        while self.alive and self.sink is not None:
            try:
                data = os.read(self.out_fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                with contextlib.suppress(ValueError, RuntimeError, OSError):
                    self.loop.remove_reader(self.out_fd)
                return
            text = self.decoder.decode(data)
            if text:
                self.sink(text)

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(self.pid, signum)

    def close(self, *, kill: bool) -> None:
        """Forget the worker (killing its process group if asked); safe to call twice."""
        if not self.alive:
            return
        self.alive = False
        if kill:
            with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
                os.killpg(self.pid, signal.SIGKILL)
            self.signal(signal.SIGKILL)
        for fd in (self.sock.fileno(), self.out_fd):
            with contextlib.suppress(ValueError, RuntimeError, OSError):
                self.loop.remove_reader(fd)
        self.sock.close()
        with contextlib.suppress(OSError):
            os.close(self.out_fd)
        self._resolve(Fault("closed"))
