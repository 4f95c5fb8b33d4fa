"""Noticing a student's connection that has gone silent (no FIN: cable, Wi-Fi, a laptop lid).

Two mechanisms, one for each state a connection can be in (docs/serve.md, "Dropped
connections"): TCP keepalive for an idle one, and a look at TCP_INFO for data left
unacknowledged on a busy one.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import socket
import struct
from typing import Any

from tutor.i18n import _

#: Seconds a student's machine may leave the server's packets unacknowledged (sent data, or a
#: keepalive probe once the connection has been idle for a second) before the connection is
#: ended: a network that goes silent (no FIN: cable, Wi-Fi, a laptop lid) is noticed in about
#: this long. Acknowledgements come from the student's kernel, not their ssh program, so a slow
#: or busy client is never taken for a dead one; nor is one whose receive window is full (it
#: still acknowledges the server's window probes). docs/serve.md, "Dropped connections".
SILENCE_S = 2
#: Seconds between two looks at every connection's TCP_INFO (for data left unacknowledged).
SILENCE_POLL_S = 0.25
#: struct tcp_info (linux/tcp.h) up to tcpi_last_ack_recv: 8 bytes, then 13 unsigned ints.
TCP_INFO_FORMAT = "=8B13I"


def is_tcp(sock: Any) -> bool:
    """Whether `sock` is a TCP socket (not a Unix one, not None)."""
    return sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6)


def keep_alive(sock: Any) -> None:
    """TCP keepalive probes once a connection has been idle for a second, one a second: the
    kernel ends an idle connection whose first probe goes unanswered for SILENCE_S - 1 s.

    Not TCP_USER_TIMEOUT: since Linux 5.11 it also ends a connection whose peer keeps its
    receive window shut for that long (a live client that reads slowly); data left
    unacknowledged is watched instead (`unacknowledged_ms`).
    """
    if not is_tcp(sock):
        return
    options = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    for name, value in (("TCP_KEEPIDLE", 1), ("TCP_KEEPINTVL", max(1, SILENCE_S - 1)),
                        ("TCP_KEEPCNT", 1)):
        if hasattr(socket, name):
            options.append((socket.IPPROTO_TCP, getattr(socket, name), value))
    for level, option, value in options:
        with contextlib.suppress(OSError):
            sock.setsockopt(level, option, value)


def unacknowledged_ms(sock: Any) -> int | None:
    """Milliseconds since the peer last acknowledged anything, while something it has not
    acknowledged is out (data, or a probe); None when nothing is awaited or unknown."""
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO,
                               struct.calcsize(TCP_INFO_FORMAT))
        fields = struct.unpack_from(TCP_INFO_FORMAT, info)
    except (OSError, AttributeError, struct.error):
        return None
    probes, unacked, last_ack_recv = fields[3], fields[12], fields[20]
    return int(last_ack_recv) if unacked or probes else None


def why_dropped(exc: Exception | None) -> str:
    """How a connection went, in words for the log."""
    if isinstance(exc, OSError) and exc.errno == errno.ETIMEDOUT:
        return _("their machine acknowledged nothing for {seconds} s").format(seconds=SILENCE_S)
    if exc is None:
        return _("closed")
    return str(exc) or type(exc).__name__


class SilenceWatch:
    """Connections watched for data their peer leaves unacknowledged for SILENCE_S; such a
    connection is ended as the kernel ends one whose keepalive goes unanswered."""

    def __init__(self) -> None:
        #: The watched connections, with their sockets.
        self.watched: dict[Any, Any] = {}
        self.watching: asyncio.Task[None] | None = None

    def watch(self, conn: Any, sock: Any) -> None:
        """Watch a connection (a TCP one, where the kernel has TCP_INFO)."""
        if not is_tcp(sock) or not hasattr(socket, "TCP_INFO"):
            return
        self.watched[conn] = sock
        if self.watching is None or self.watching.done():
            self.watching = asyncio.ensure_future(self._watch())

    def unwatch(self, conn: Any) -> None:
        """The connection has gone."""
        self.watched.pop(conn, None)

    async def _watch(self) -> None:
        while self.watched:
            await asyncio.sleep(SILENCE_POLL_S)
            for conn, sock in list(self.watched.items()):
                waited = unacknowledged_ms(sock)
                if waited is not None and waited >= SILENCE_S * 1000:
                    self.unwatch(conn)
                    # As the kernel says it when its own keepalive gets no answer.
                    conn.connection_lost(TimeoutError(errno.ETIMEDOUT,
                                                      os.strerror(errno.ETIMEDOUT)))
