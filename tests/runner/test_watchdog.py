"""The zygote's watchdog (issue 10, item 5): a worker's tree is counted and weighed from /proc.

On CUDA and MPS no address-space limit can be set, so the watchdog's sum of a worker's own memory
is the host-memory limit there; these tests run it on the CPU with that mode on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from tutor.runner.wire import worded
from tutor.runner.zygote_watchdog import Watchdog

#: A process that holds `MiB` of written memory (and, with a second argument, that many idle
#: children), then says so and waits.
HOLDER = """
import os, sys, time
block = b"x" * (int(sys.argv[1]) << 20)
for _ in range(int(sys.argv[2])):
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def holder() -> Iterator[Callable[..., int]]:
    started: list[subprocess.Popen[str]] = []

    def start(mib: int, children: int = 0) -> int:
        process = subprocess.Popen([sys.executable, "-c", HOLDER, str(mib), str(children)],
                                   stdout=subprocess.PIPE, text=True, start_new_session=True)
        started.append(process)
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        return process.pid

    yield start
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # it and its children (its own group)
        process.wait()


def test_a_worker_without_an_address_limit_is_weighed_alone(holder: Callable[..., int]) -> None:
    pid = holder(150)
    gpu_like = Watchdog(memory_limit_mib=100)
    gpu_like.cpu_limited = False  # what the zygote sets for cuda and mps workers
    broken = gpu_like.over_limit({pid})
    assert set(broken) == {pid} and "more than 100 MiB" in worded(broken[pid])
    assert Watchdog(memory_limit_mib=400).over_limit({pid}) == {}


def test_a_cpu_worker_alone_is_left_to_its_address_limit(holder: Callable[..., int]) -> None:
    pid = holder(150)
    assert Watchdog(memory_limit_mib=100).over_limit({pid}) == {}  # cpu_limited by default


def test_processes_below_a_worker_are_counted(holder: Callable[..., int]) -> None:
    pid = holder(1, children=5)
    deadline = time.monotonic() + 10
    watchdog = Watchdog(memory_limit_mib=None, max_processes=3)
    while not (broken := watchdog.over_limit({pid})) and time.monotonic() < deadline:
        watchdog.last_scan = 0.0  # look at every process again
    assert "more than 3 processes" in worded(broken[pid])
    assert Watchdog(memory_limit_mib=None, max_processes=10).over_limit({pid}) == {}


@pytest.mark.parametrize(("device", "limited"), [("cpu", True), ("cuda:0", False),
                                                  ("mps", False)])
def test_the_zygote_weighs_workers_of_every_device(device: str, limited: bool) -> None:
    from tutor.runner.zygote import Zygote

    control, other = socket.socketpair()
    try:
        zygote = Zygote(control, device, 512, use_fork=True, parent=0)
        assert zygote.watchdog.memory_limit_kib == 512 * 1024
        assert zygote.watchdog.cpu_limited is limited
    finally:
        control.close()
        other.close()


def test_the_fate_of_a_process_is_read_from_proc(monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor.runner import reaping

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert reaping.fate(child.pid) is None
        os.kill(child.pid, signal.SIGSTOP)
        deadline = time.monotonic() + 10
        while reaping.fate(child.pid) is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert reaping.fate(child.pid) == "stopped"
        child.kill()
        child.wait()
        assert reaping.fate(child.pid) == "killed"
        real_isdir = os.path.isdir
        monkeypatch.setattr(os.path, "isdir", lambda path: path != "/proc/self" and
                            real_isdir(path))
        assert reaping.fate(child.pid) is None  # no /proc (macOS): nothing is known
    finally:
        child.kill()
        child.wait()
