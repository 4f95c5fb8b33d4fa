"""Run inside a network namespace of its own (see test_silent_drop.py): `tutor serve` and one
student on that namespace's loopback, then the loopback goes down, silently, as a network does
when a cable is pulled: no FIN, no RST, nothing acknowledged. Prints one JSON line: what the
server logged, when, and which of the student's processes were left.

    python tests/serve/silent_drop.py CLASS_DIR idle|busy

`busy`: the teacher posts a message as the silence begins, so that the server has the app's
output to send and left unacknowledged (the kernel's keepalive waits while data is out).
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import socket
import struct
import sys
import time
from pathlib import Path

from served import alive, start_server, stop_server, wait_log
from students import connect, new_key, students_line

from tutor.serve.classdir import ClassDir

SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


def loopback(up: bool) -> None:
    """Bring this namespace's loopback up or down (as `ip link set lo up|down`)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        flags = flags | IFF_UP if up else flags & ~IFF_UP
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags))


async def main(root: Path, mode: str) -> dict[str, object]:
    loopback(True)
    key = new_key()
    (root / "students").write_text(students_line("alan", key))
    process, log, port = start_server(root)
    try:
        student = await connect(port, key)
        await student.wait_for("A tiny lesson")
        student.press("enter")
        await student.wait_for("Six times seven")
        student.press("f5")
        await student.wait_for("the answer is 42")
        classdir, pids = ClassDir(root), []
        for _ in range(300):  # the server measures who runs what every 2 s
            sessions = [s for s in classdir.sessions() if s["workers"]]
            if sessions:
                pids = [sessions[0]["app_pid"], *sessions[0]["workers"]]
                break
            await asyncio.sleep(0.1)
        loopback(False)
        silent_at = time.monotonic()
        if mode == "busy":
            classdir.post_message("Is everyone still there?")
        dropped = await asyncio.to_thread(wait_log, log, r"dropped alan", 60.0)
        detected_s = time.monotonic() - silent_at
        for _ in range(3000):
            if not any(alive(pid) for pid in pids):
                break
            await asyncio.sleep(0.01)
        ended_s = time.monotonic() - silent_at
        left = await asyncio.to_thread(wait_log, log, r"left alan", 30.0)
        return {"pids": pids, "left_alive": [pid for pid in pids if alive(pid)],
                "dropped": dropped, "left": left, "detected_s": round(detected_s, 2),
                "ended_s": round(ended_s, 2)}
    finally:
        stop_server(process)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1]), sys.argv[2]))))
