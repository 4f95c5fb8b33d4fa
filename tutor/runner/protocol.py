"""Framing shared by client, zygote and workers: a 4-byte big-endian length, then JSON.

JSON keeps every message plain data; NaN and infinities pass through (Python's json allows them).
A frame longer than `wire.MAX_FRAME`, or one that is not a JSON object, is a `ProtocolError`.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
from json import dumps, loads  # bound here: a cell that patches json.dumps changes nothing
from typing import Any

from tutor.i18n import _
from tutor.runner.wire import EXIT_CHANNEL_LOST, MAX_FRAME

HEADER = struct.Struct("!I")


class ProtocolError(ValueError):
    """A frame that breaks the protocol: too long, not JSON, or not an object."""


def encode(message: Any) -> bytes:
    """One frame holding `message`; ProtocolError if it would exceed MAX_FRAME."""
    data = dumps(message, separators=(",", ":")).encode()
    if len(data) > MAX_FRAME:
        raise ProtocolError(f"a message of {len(data)} bytes is over the {MAX_FRAME}-byte limit")
    return HEADER.pack(len(data)) + data


def decode(body: bytes | bytearray) -> dict[str, Any]:
    """The message of one frame's body; ProtocolError unless it is a JSON object."""
    try:
        message = loads(body)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"a frame is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"a frame holds a {type(message).__name__}, not an object")
    return message


def _size(header: bytes | bytearray) -> int:
    (size,) = HEADER.unpack_from(header)
    if size > MAX_FRAME:
        raise ProtocolError(f"a frame of {size} bytes is over the {MAX_FRAME}-byte limit")
    return int(size)


def send(sock: socket.socket, message: Any, fds: list[int] | None = None) -> None:
    """Send one frame (blocking); `fds` ride along with its first byte (SCM_RIGHTS)."""
    frame = encode(message)
    if fds:
        sent = socket.send_fds(sock, [frame], fds)
        frame = frame[sent:]
    if frame:
        sock.sendall(frame)


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = sock.recv(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket) -> dict[str, Any] | None:
    """The next frame's message (blocking), or None at end of stream; ProtocolError if bad."""
    header = _recv_exact(sock, HEADER.size)
    if header is None:
        return None
    body = _recv_exact(sock, _size(header))
    if body is None:
        return None
    return decode(body)


class FrameBuffer:
    """Incremental decoder for a non-blocking reader: feed bytes, take whole messages."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        """Append `data`; return every message now complete (ProtocolError on a bad frame)."""
        self._data += data
        messages = []
        while len(self._data) >= HEADER.size:
            end = HEADER.size + _size(self._data)
            if len(self._data) < end:
                break
            body = self._data[HEADER.size : end]
            del self._data[:end]
            messages.append(decode(body))
        return messages


def describe_status(status: int) -> str:
    """How a process ended, as the end of a sentence: 'crashed with a segmentation fault…'."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        if number == signal.SIGSEGV:
            return _("crashed with a segmentation fault (SIGSEGV)")
        if number == signal.SIGKILL:
            return _("was killed (SIGKILL), for example by the system for using too much memory")
        if number == signal.SIGABRT:
            return _("aborted (SIGABRT)")
        return _("was killed by {signal}").format(signal=name)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == EXIT_CHANNEL_LOST:
        return _("lost its channel to the app: the cell closed or replaced its socket")
    if os.WIFEXITED(status):
        return _("exited with status {status} (os._exit or a C-level exit)").format(
            status=os.WEXITSTATUS(status))
    return _("ended (status {status})").format(status=status)

