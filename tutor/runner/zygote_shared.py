"""A zygote shared by many apps (`tutor serve`): one torch import for a whole class.

The zygote is started as usual by its owner (the serve process, on the control socket) with
`--listen PATH`. It also accepts apps on that Unix socket: each connection is one app, says
`ready` to it as the zygote says it to its owner, and gets the ordinary commands (spawn, end,
ping). Workers spawned over a connection belong to it: their news goes to it, no other
connection can end them, and they are ended, whole tree, when the connection closes. The owner
may also ask `clients`: each connection's peer pid and its workers (the teacher's view). The
owner closing its control socket still ends everything. The socket lives in a 0700 directory
(the serve process makes it inside the class directory, which the sandbox keeps workers out of).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import struct
from pathlib import Path
from typing import Any

from tutor.runner import protocol
from tutor.runner.zygote import Zygote

#: Seconds a client may hold the zygote up while it sends or reads one frame: a client that
#: stops reading cannot stall the class's zygote for longer (it is dropped instead).
CLIENT_IO_S = 2.0
#: Connections waiting to be accepted.
BACKLOG = 128


def peer_pid(sock: socket.socket) -> int:
    """The pid of the process at the other end of a Unix socket (0 where unknown)."""
    try:
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except (OSError, AttributeError):
        return 0
    return int(struct.unpack("3i", creds)[0])


class SharedZygote(Zygote):
    """The zygote, also serving apps that connect to its listening socket."""

    def __init__(self, *args: Any, path: str, ready: dict[str, Any]) -> None:
        super().__init__(*args)
        self.ready = {"event": "ready", **ready, "pid": os.getpid(), "fork": self.use_fork}
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        os.chmod(path, 0o600)
        self.listener.listen(BACKLOG)
        self.listener.setblocking(False)
        self.clients: dict[socket.socket, int] = {}
        self.selector.register(self.listener, selectors.EVENT_READ)
        self.tell(self.control, {"event": "listening", "path": path})

    def accept(self) -> None:
        """Take every waiting connection: each is one app, told `ready` at once."""
        while True:
            try:
                client, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            client.settimeout(CLIENT_IO_S)
            self.clients[client] = peer_pid(client)
            self.selector.register(client, selectors.EVENT_READ)
            try:
                protocol.send(client, self.ready)
            except OSError:
                self.closed(client)

    def closed(self, control: socket.socket) -> None:
        """The owner going ends everything; an app going ends its own workers' trees."""
        if control is self.control:
            self.shutdown()
            return
        for pid, owner in list(self.owners.items()):
            if owner is control:
                self.end(pid)
        if control in self.clients:
            del self.clients[control]
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(control)
            control.close()

    def command(self, control: socket.socket | None = None) -> None:
        """A new app on the listening socket; the ordinary commands; the owner's `clients`."""
        control = control or self.control
        if control is self.listener:
            self.accept()
            return
        if control is not self.control:
            super().command(control)
            return
        try:
            command = protocol.recv(control)
        except (OSError, protocol.ProtocolError):
            command = None
        if command is not None and command.get("cmd") == "clients":
            self.tell(control, {"event": "clients", "token": command.get("token"),
                                "clients": self.listing()})
        elif command is None or command.get("cmd") == "exit":
            self.closed(control)
        else:
            self.shutdown()  # the owner only lists; anything else from it is a bug

    def listing(self) -> list[dict[str, Any]]:
        """Each connected app's pid and its workers' pids."""
        return [{"pid": pid, "workers": sorted(w for w, owner in self.owners.items()
                                               if owner is client)}
                for client, pid in self.clients.items()]

    def tell(self, control: socket.socket, message: dict[str, Any]) -> None:
        """Send news; an app that cannot take it within CLIENT_IO_S is dropped."""
        try:
            protocol.send(control, message)
        except OSError:
            if control is not self.control and control in self.clients:
                self.closed(control)
