"""A student whose network goes silent (no FIN: cable, Wi-Fi, laptop lid) is dropped in about
SILENCE_S, when their machine stops acknowledging TCP, not after the SSH keepalive's much longer
wait; their app saves and exits and their workers are ended.

The silence is real: the server and the student run in a network namespace of their own
(unshare), whose loopback is taken down under them, while the connection is idle (the kernel's
keepalive notices) and while the server has output for the student (tutor serve's look at
TCP_INFO notices). Where namespaces cannot be made, skipped. And a student whose client stops
reading (its kernel still acknowledges, with a shut receive window) is not dropped.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from served import ServedClass

from tutor.serve.classdir import ClassDir
from tutor.serve.silence import SILENCE_S

HELPER = Path(__file__).with_name("silent_drop.py")
SLOW_HELPER = Path(__file__).with_name("slow_student.py")


def namespace_command() -> list[str] | None:
    """`unshare` with a network namespace of our own (as root, or in a user namespace)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    for command in ([unshare, "--net"], [unshare, "--user", "--map-root-user", "--net"]):
        try:
            made = subprocess.run([*command, "true"], capture_output=True, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if made.returncode == 0:
            return command
    return None


@pytest.mark.parametrize("mode", ["idle", "busy"])
def test_a_silent_network_drops_the_student_by_tcp_and_ends_their_processes(
        tmp_path: Path, mode: str) -> None:
    command = namespace_command()
    if command is None:
        pytest.skip("cannot make a network namespace here (unshare, or user namespaces, missing)")
    out = subprocess.run([*command, sys.executable, str(HELPER), str(tmp_path), mode],
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(result)  # the times, for the record (pytest -s)
    assert len(result["pids"]) >= 2, result  # the app and its worker(s) were seen
    # Unanswered TCP (a keepalive probe when idle, the app's output when busy) told the server,
    # not the SSH keepalive (which says "not responding to keepalive", after 40 s).
    assert "acknowledged nothing for" in result["dropped"], result
    assert result["left_alive"] == [], result
    # The app ended on its hang-up (saving as it went), not killed after the grace.
    assert "status 0)" in result["left"], result


def send_queue(local_port: int, remote_port: int) -> int:
    """Bytes the server's socket to a client holds unsent or unacknowledged (/proc/net/tcp)."""
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            local, remote = (int(end.split(":")[1], 16) for end in fields[1:3])
            if (local, remote) == (local_port, remote_port):
                return int(fields[4].split(":")[0], 16)
    return 0


def test_a_student_who_stops_reading_is_not_dropped(served: ServedClass, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_bytes(served.keys["grace"].export_private_key())
    message = "Is everyone still there?"
    client = subprocess.Popen([sys.executable, str(SLOW_HELPER), str(served.port),
                               str(key_file), message], stdout=subprocess.PIPE, text=True)
    try:
        assert client.stdout is not None
        ready = client.stdout.readline().split()
        assert ready[:1] == ["READY"], ready
        os.kill(client.pid, signal.SIGSTOP)  # its kernel still acknowledges; it reads nothing
        try:
            for number in range(5):
                ClassDir(served.root).post_message(f"{message} ({number})")
            held = []
            for _ in range(3 * SILENCE_S * 10):  # three times as long as a silence may last
                held.append(send_queue(served.port, int(ready[1])))
                time.sleep(0.1)
            assert max(held) > 0  # the server had output the student did not take
        finally:
            os.kill(client.pid, signal.SIGCONT)
        assert client.stdout.readline().strip() == "SAW"
        assert client.wait(30) == 0
    finally:
        client.kill()
    # It saw the message after it went on (above), and was never taken for a silent network.
    assert not [line for line in served.log if "dropped grace" in line
                and "acknowledged nothing" in line]
