"""A student whose network goes silent (no FIN: cable, Wi-Fi, laptop lid) is dropped by the
kernel's TCP settings of `tutor serve` (keepalive and TCP_USER_TIMEOUT), not after the SSH
keepalive's much longer wait; their app saves and exits and their workers are ended.

The silence is real: the server and the student run in a network namespace of their own
(unshare), whose loopback is taken down under them. Where namespaces cannot be made, skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HELPER = Path(__file__).with_name("silent_drop.py")


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


def test_a_silent_network_drops_the_student_by_tcp_and_ends_their_processes(
        tmp_path: Path) -> None:
    command = namespace_command()
    if command is None:
        pytest.skip("cannot make a network namespace here (unshare, or user namespaces, missing)")
    out = subprocess.run([*command, sys.executable, str(HELPER), str(tmp_path)],
                         capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    print(result)  # the times, for the record (pytest -s)
    assert len(result["pids"]) >= 2, result  # the app and its worker(s) were seen
    # The kernel's TCP timeout noticed the silence (the SSH keepalive would say otherwise).
    assert "acknowledged nothing for" in result["dropped"], result
    assert result["left_alive"] == [], result
    # The app ended on its hang-up (saving as it went), not killed after the grace.
    assert "status 0)" in result["left"], result
