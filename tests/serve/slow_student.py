"""A student whose client stops reading (see test_silent_drop.py): connects to `tutor serve` with
a small receive buffer, says READY once the lesson list is on screen, then waits (the test stops
this process meanwhile) until the teacher's message is on screen, and says SAW.

    python tests/serve/slow_student.py PORT KEY_FILE MESSAGE
"""

from __future__ import annotations

import asyncio
import socket
import sys

import asyncssh
from students import Student


async def main(port: int, key_file: str, message: str) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills with one screenful
    sock.connect(("127.0.0.1", port))
    conn = await asyncssh.connect(sock=sock, username="student",
                                  client_keys=[asyncssh.read_private_key(key_file)],
                                  known_hosts=None, agent_path=None, config=[])
    chan, student = await conn.create_session(lambda: Student(100, 30),
                                              term_type="xterm-256color", term_size=(100, 30),
                                              encoding=None)
    student.chan, student.conn = chan, conn
    await student.wait_for("A tiny lesson", 60)
    print("READY", sock.getsockname()[1], flush=True)
    await student.wait_for(message, 60)
    print("SAW", flush=True)
    conn.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3]))
