"""Starting `tutor serve` for the class-server tests: loopback, a free port, known students."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh

LESSONS = Path(__file__).parent / "lessons"
NAMES = ("ada", "grace", "alan")


@dataclass
class ServedClass:
    """A running `tutor serve` and what the tests need to reach it."""

    root: Path
    port: int
    process: subprocess.Popen[str]
    keys: dict[str, asyncssh.SSHKey]
    log: list[str] = field(default_factory=list)

    def wait_log(self, pattern: str, deadline_s: float = 30.0) -> str:
        """The first log line matching `pattern` (waiting for it)."""
        return wait_log(self.log, pattern, deadline_s)


def wait_log(log: list[str], pattern: str, deadline_s: float = 30.0) -> str:
    """The first line of a server's log matching `pattern` (waiting for it)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        for line in list(log):
            if re.search(pattern, line):
                return line
        time.sleep(0.05)
    raise AssertionError(f"the server never logged {pattern!r}:\n" + "\n".join(log))


def start_server(root: Path, *extra: str) -> tuple[subprocess.Popen[str], list[str], int]:
    """`tutor serve` on 127.0.0.1, port chosen by the system; its log lines as they come."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--class", str(root), "--port", "0",
         "--lessons", str(LESSONS), "--device", "cpu", *extra],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            log.append(line.rstrip())

    threading.Thread(target=read, daemon=True).start()
    end = time.monotonic() + 120
    while time.monotonic() < end:
        found = [re.search(r"listening on 127\.0\.0\.1:(\d+)", line) for line in list(log)]
        ports = [int(match.group(1)) for match in found if match]
        if ports:
            return process, log, ports[0]
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    raise AssertionError("tutor serve did not start:\n" + "\n".join(log))


def alive(pid: int) -> bool:
    """Whether `pid` is a live process (not gone, not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


def stop_server(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
