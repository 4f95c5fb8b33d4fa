"""Framing shared by client, zygote and workers: a 4-byte big-endian length, then JSON.

JSON keeps every message plain data; NaN and infinities pass through (Python's json allows them).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
from typing import Any

HEADER = struct.Struct("!I")


def encode(message: dict[str, Any]) -> bytes:
    """One frame holding `message`."""
    data = json.dumps(message, separators=(",", ":")).encode()
    return HEADER.pack(len(data)) + data


def send(sock: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
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
    """The next frame's message (blocking), or None at end of stream."""
    header = _recv_exact(sock, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    body = _recv_exact(sock, size)
    if body is None:
        return None
    message: dict[str, Any] = json.loads(body)
    return message


class FrameBuffer:
    """Incremental decoder for a non-blocking reader: feed bytes, take whole messages."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        """Append `data`; return every message now complete."""
        self._data += data
        messages = []
        while len(self._data) >= HEADER.size:
            (size,) = HEADER.unpack_from(self._data)
            end = HEADER.size + size
            if len(self._data) < end:
                break
            messages.append(json.loads(self._data[HEADER.size : end]))
            del self._data[:end]
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
            return "crashed with a segmentation fault (SIGSEGV)"
        if number == signal.SIGKILL:
            return "was killed (SIGKILL), for example by the system for using too much memory"
        if number == signal.SIGABRT:
            return "aborted (SIGABRT)"
        return f"was killed by {name}"
    if os.WIFEXITED(status):
        return f"exited with status {os.WEXITSTATUS(status)} (os._exit or a C-level exit)"
    return f"ended (status {status})"
