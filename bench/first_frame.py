"""Time to first frame of `tutor` in a real (pseudo-)terminal, beside a bare Textual app.

Each program is started in an 80x24 pseudo-terminal; the clock stops when the lesson list's
first lesson is on the emulated screen (pyte). Runs alternate so both see the same machine
state. Budget (docs/architecture.md, "Budgets"): tutor <= 1.15 x the bare app.

Beside the wall-clock time, the CPU time the program had used by then (all its threads, from
/proc/PID/task/*/schedstat, in ns): on a machine shared with other work it varies much less
than the wall clock, so it shows a change of a few ms that the wall clock hides in its noise.
`python bench/first_frame.py [ROUNDS]`.

tutor's modules are byte-compiled first, as `pip install` does for a learner: where
PYTHONDONTWRITEBYTECODE is set (as in this project's dev shells) an editable install would
otherwise compile every tutor module from source at each start (~30 ms more before the first
frame), which no installed tutor does. Textual's modules are compiled by pip for both programs.
"""

from __future__ import annotations

import compileall
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect
import pyte
from common import machine

ROOT = Path(__file__).resolve().parents[1]
MARKER = "1. LLM basics"  # the first lesson in the list: the frame a learner can use
ROUNDS = 10


def byte_compile() -> None:
    """Byte-compile tutor's modules, as installing it does (see the module's notes)."""
    if not compileall.compile_dir(ROOT / "tutor", quiet=1):
        raise RuntimeError("tutor's modules do not compile")


def cpu_s(pid: int) -> float:
    """CPU seconds used so far by every thread of process `pid` (0 where /proc lacks them)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1e9


def first_frame_s(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from spawn until MARKER is drawn, and the CPU seconds the program had used by
    then; then quit the program."""
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
    started = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, dimensions=(24, 80))
    try:
        while True:
            try:
                stream.feed(child.read_nonblocking(65536, timeout=10))
            except pexpect.TIMEOUT as exc:
                raise RuntimeError(f"{argv[0]} drew no first frame in 10 s") from exc
            if any(MARKER in line for line in screen.display):
                return time.perf_counter() - started, cpu_s(child.pid)
    finally:
        child.sendcontrol("q")
        child.expect(pexpect.EOF, timeout=10)
        child.close()


def lesson_entries() -> list[str]:
    """`title|summary` of each shipped lesson, read from its front matter (for the bare app)."""
    entries = []
    for path in sorted((ROOT / "lessons").glob("*.md")):
        fields = {}
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            if line.strip() == "---":
                break
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        entries.append(f"{fields.get('title', '')}|{fields.get('summary', '')}")
    return entries


def main() -> None:
    home = tempfile.mkdtemp(prefix="tutor-bench-")
    env = {**os.environ, "TERM": "xterm-256color", "TUTOR_HOME": home, "COLUMNS": "80",
           "LINES": "24"}
    tutor = str(Path(sys.executable).with_name("tutor"))
    bare = [sys.executable, str(ROOT / "bench" / "bare_app.py"), *lesson_entries()]
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else ROUNDS
    byte_compile()
    ours, peer = [], []
    first_frame_s([tutor], env)  # warm the page cache (and tutor's course cache) before timing
    first_frame_s(bare, env)
    load_before = os.getloadavg()
    for _ in range(rounds):
        ours.append(first_frame_s([tutor], env))
        peer.append(first_frame_s(bare, env))
    load_after = os.getloadavg()
    wall = [statistics.median(t for t, _cpu in runs) for runs in (ours, peer)]
    cpu = [statistics.median(c for _t, c in runs) for runs in (ours, peer)]
    print(machine())
    print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
          f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
    print("### First frame in an 80x24 pseudo-terminal", "",
          "| what | tutor | bare Textual app, same widgets | ratio |", "| --- | --- | --- | --- |",
          f"| wall clock, median of {rounds} | {wall[0]:.3f} s | {wall[1]:.3f} s | "
          f"{wall[0] / wall[1]:.2f} |",
          f"| wall clock, min / max | {min(t for t, _ in ours):.3f} / "
          f"{max(t for t, _ in ours):.3f} s | {min(t for t, _ in peer):.3f} / "
          f"{max(t for t, _ in peer):.3f} s | |",
          f"| CPU time by then, median | {cpu[0]:.3f} s | {cpu[1]:.3f} s | "
          f"{cpu[0] / cpu[1]:.2f} |", sep="\n")
    print(f"\nratio of wall-clock medians: {wall[0] / wall[1]:.2f} (budget <= 1.15)")


if __name__ == "__main__":
    main()
