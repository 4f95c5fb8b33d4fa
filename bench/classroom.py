"""A class of N simulated students over real SSH on loopback, beside N local `tutor` processes.

    python bench/classroom.py N [--seconds S] [--no-peer]

Each student (an asyncssh client with a pseudo-terminal, the screen read with pyte) connects at
the same moment, opens the benchmark lesson (bench/classroom_lessons), runs its cells and
answers its quizzes with 1-3 s of thinking between actions, for S seconds. The peer, in the
same run: N separate `tutor` processes started together on local pseudo-terminals, doing the
same. Printed: time until every student sees the lesson list, until every first cell has
printed, run round trip (key press to output on screen) median and p95, PSS per student and in
total, failures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import os
import pty
import random
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path
from typing import Any

import pyte
from common import machine

from tutor.runner.reaping import descendants

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "serve"))
from students import KEYS, connect, new_key, students_line  # noqa: E402

LESSONS = ROOT / "bench" / "classroom_lessons"
LIST_MARK = "Classroom benchmark"
MARK = re.compile(r"mark ([0-9a-f]{8})")
COLUMNS, ROWS = 100, 30


class LocalStudent:
    """A local `tutor` on its own pseudo-terminal: the peer (today's model)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        self.changed = asyncio.Event()
        self.closed = asyncio.Event()
        self.process: asyncio.subprocess.Process | None = None
        self.master = -1

    async def start(self) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "TUTOR_HOME": str(self.home)}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tutor", "--lessons", str(LESSONS), "--device", "cpu",
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.master = master
        os.set_blocking(master, False)
        asyncio.get_running_loop().add_reader(master, self._read)

    def _read(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(self.master)
            self.closed.set()
        else:
            self.stream.feed(data)
        self.changed.set()

    @property
    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def wait_for(self, condition: Any, deadline_s: float = 120.0) -> float:
        test = condition if callable(condition) else (lambda text: condition in text)
        end = time.monotonic() + deadline_s
        while not test(self.text):
            if self.closed.is_set() or time.monotonic() > end:
                raise AssertionError(f"never showed {condition!r}")
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), max(0.01, end - time.monotonic()))
        return time.monotonic()

    def press(self, *keys: str) -> None:
        for key in keys:
            os.write(self.master, KEYS.get(key, key).encode())

    def close(self) -> None:
        if self.process is not None and self.process.returncode is None:
            os.killpg(self.process.pid, 1)


def pids_below(root: int) -> set[int]:
    """Every process below `root` (from /proc), `root` included."""
    return {root, *descendants(root)}


def pss_mib(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            pass
    return total / 1024


class Outcome:
    """What one student saw."""

    def __init__(self) -> None:
        self.list_at: float | None = None
        self.first_cell_at: float | None = None
        self.runs: list[float] = []
        self.failure: str | None = None


async def run_cell(student: Any, seen: set[str]) -> float:
    """Press F5; the seconds until a new mark is on screen."""
    pressed = time.monotonic()
    student.press("f5")

    def new_mark(text: str) -> bool:
        return any(mark not in seen for mark in MARK.findall(text))

    shown = await student.wait_for(new_mark)
    seen.update(MARK.findall(student.text))
    return shown - pressed


async def think() -> None:
    await asyncio.sleep(random.uniform(1.0, 3.0))


async def study(student: Any, outcome: Outcome, until: float) -> None:
    """The scripted student: open the lesson, run, answer, next step; until time is up."""
    seen: set[str] = set()
    outcome.list_at = await student.wait_for(LIST_MARK)
    student.press("enter")
    await student.wait_for("Step one")
    outcome.runs.append(await run_cell(student, seen))
    outcome.first_cell_at = time.monotonic()
    step, solved = 1, set()
    while time.monotonic() < until:
        await think()
        if step not in solved:  # a solved quiz takes no answer: the last step's cell is re-run
            student.press("f2")
            await asyncio.sleep(0.3)
            student.press(str(2 * step), "enter")
            await student.wait_for("Correct")
            solved.add(step)
            await think()
        if step < 3:
            step += 1
            student.press("f8")
            await student.wait_for(("Step one", "Step two", "Step three")[step - 1])
        await think()
        if time.monotonic() < until:
            outcome.runs.append(await run_cell(student, seen))


async def drive(make: Any, n: int, seconds: float) -> tuple[list[Outcome], float, list[Any]]:
    """Start n students together; return their outcomes, the start time, and the students."""
    outcomes = [Outcome() for _ in range(n)]
    started = time.monotonic()
    until = started + seconds
    students: list[Any] = [None] * n

    async def one(i: int) -> None:
        try:
            students[i] = await make(i)
            await study(students[i], outcomes[i], until)
        except Exception as exc:  # a failure is a figure, not the end of the benchmark
            outcomes[i].failure = f"{type(exc).__name__}: {str(exc)[:200]}"

    await asyncio.gather(*(one(i) for i in range(n)))
    return outcomes, started, students


def summary(outcomes: list[Outcome], started: float, pss_total: float, n: int) -> dict[str, str]:
    lists = [o.list_at - started for o in outcomes if o.list_at]
    firsts = [o.first_cell_at - started for o in outcomes if o.first_cell_at]
    runs = sorted(r for o in outcomes for r in o.runs[1:])  # warm runs; the first is above
    failures = [o.failure for o in outcomes if o.failure]
    p95 = runs[int(0.95 * (len(runs) - 1))] if runs else None
    return {
        "every student sees the lesson list": (f"{max(lists):.2f} s (median "
                                               f"{statistics.median(lists):.2f})"
                                               if len(lists) == n else f"{len(lists)}/{n}"),
        "every first cell has printed": (f"{max(firsts):.2f} s (median "
                                         f"{statistics.median(firsts):.2f})"
                                         if len(firsts) == n else f"{len(firsts)}/{n}"),
        "run round trip, median": f"{statistics.median(runs) * 1000:.0f} ms" if runs else "-",
        "run round trip, p95": f"{p95 * 1000:.0f} ms (n={len(runs)})" if p95 else "-",
        "PSS per student": f"{pss_total / n:.0f} MiB",
        "PSS in total": f"{pss_total / 1024:.2f} GiB",
        "failures": str(len(failures)) + (f" ({failures[0]})" if failures else ""),
    }


async def served(n: int, seconds: float) -> dict[str, str]:
    """N students over SSH to one `tutor serve`."""
    root = Path(tempfile.mkdtemp(prefix="classroom-"))
    keys = [new_key() for _ in range(n)]
    (root / "students").write_text("".join(students_line(f"s{i}", k) for i, k in
                                           enumerate(keys)))
    server = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--class", str(root), "--port", "0",
         "--lessons", str(LESSONS), "--device", "cpu", "--max-students", str(n)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    port = 0
    for line in server.stdout:
        found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if found:
            port = int(found.group(1))
            break
    log: list[str] = []  # drained, so that the server never waits on a full pipe
    threading.Thread(target=lambda: log.extend(server.stdout or []), daemon=True).start()
    try:
        outcomes, started, students = await drive(
            lambda i: connect(port, keys[i], COLUMNS, ROWS, f"s{i}"), n, seconds)
        total = pss_mib(pids_below(server.pid))
        for student in students:
            if student is not None:
                student.close()
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(root, ignore_errors=True)
    events = [line.split(" ", 1)[1].split(" ")[0] for line in log if " " in line]
    print("server events:", {e: events.count(e) for e in sorted(set(events))}, file=sys.stderr)
    for line in [line for line in log if any(word in line for word in (
            "refused", "cannot", "dropped"))][:5]:
        print("  ", line.rstrip(), file=sys.stderr)
    return summary(outcomes, started, total, n)


async def local(n: int, seconds: float) -> dict[str, str]:
    """The peer: N local `tutor` processes, each with its own runner."""
    root = Path(tempfile.mkdtemp(prefix="classroom-peer-"))
    started_students: list[LocalStudent] = []

    async def make(i: int) -> LocalStudent:
        student = LocalStudent(root / f"s{i}")
        started_students.append(student)
        await student.start()
        return student

    try:
        outcomes, started, _ = await drive(make, n, seconds)
        total = sum(pss_mib(pids_below(s.process.pid)) for s in started_students
                    if s.process is not None)
    finally:
        for student in started_students:
            student.close()
        await asyncio.sleep(3)
        shutil.rmtree(root, ignore_errors=True)
    return summary(outcomes, started, total, n)


def load() -> str:
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args()
    print(machine())
    print(f"load average before: {load()}; {args.n} students for {args.seconds:g} s")
    ours = asyncio.run(served(args.n, args.seconds))
    print(f"load average after tutor serve: {load()}")
    peer = asyncio.run(local(args.n, args.seconds)) if not args.no_peer else {}
    print(f"\n### {args.n} students, {args.seconds:g} s\n")
    print("| what | tutor serve (one shared runner) | peer: N local tutor processes |")
    print("| --- | --- | --- |")
    for what, value in ours.items():
        print(f"| {what} | {value} | {peer.get(what, 'not run')} |")


if __name__ == "__main__":
    main()
