"""Time to first frame of `tutor` in a real (pseudo-)terminal, beside a bare Textual app.

Each program is started in an 80x24 pseudo-terminal; the clock stops when the lesson list's
title line is on the emulated screen (pyte). Runs alternate so both see the same machine state.
Budget (docs/architecture.md, "Budgets"): tutor <= 1.15 x the bare app.
"""

from __future__ import annotations

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


def first_frame_s(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from spawn until MARKER is drawn, then quit the program."""
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
                return time.perf_counter() - started
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
    ours, peer = [], []
    first_frame_s([tutor], env)  # warm the page cache for both before timing
    first_frame_s(bare, env)
    for _ in range(ROUNDS):
        ours.append(first_frame_s([tutor], env))
        peer.append(first_frame_s(bare, env))
    ratio = statistics.median(ours) / statistics.median(peer)
    print(machine())
    print("### First frame in an 80x24 pseudo-terminal", "",
          "| what | tutor | bare Textual app, same widgets |", "| --- | --- | --- |",
          f"| median of {ROUNDS} | {statistics.median(ours):.3f} s | "
          f"{statistics.median(peer):.3f} s |",
          f"| min / max | {min(ours):.3f} / {max(ours):.3f} s | "
          f"{min(peer):.3f} / {max(peer):.3f} s |", sep="\n")
    print(f"\nratio of medians: {ratio:.2f} (budget <= 1.15)")


if __name__ == "__main__":
    main()
