"""Memory of the UI process, beside a bare Textual app and `jupyter console` (budget: ≤ 45 MiB).

Each program runs in an 80x24 pseudo-terminal. tutor is measured at the lesson list, in a
lesson after running a cell, and after walking through that lesson and back (its runner lives in
other processes, measured by runner_memory.py); `jupyter console` after running the same cell in
its kernel (the console process alone).
tutor's modules are byte-compiled first, as installing it does (see first_frame.py): compiling
them from source at each start also leaves the compiler's garbage in the heap.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pexpect
import pyte
from common import machine
from first_frame import byte_compile, lesson_entries

ROOT = Path(__file__).resolve().parents[1]
F5 = "\x1b[15~"
F7 = "\x1b[18~"
F8 = "\x1b[19~"
#: Rounds through the whole lesson and back (autograd has 8 steps): a step that was left must be
#: freed, so the figure after them stays near the one after the first run.
ROUNDS = 3
STEPS = 8


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


class Terminal:
    """A program in a pseudo-terminal, with its screen kept up to date."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, dimensions=(24, 80))

    def pump(self, timeout: float) -> None:
        """Feed whatever the program drew within `timeout` seconds to the screen."""
        with contextlib.suppress(pexpect.TIMEOUT):
            self.stream.feed(self.child.read_nonblocking(65536, timeout=timeout))

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.screen.display):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{text!r} never appeared:\n" + "\n".join(self.screen.display))
            self.pump(0.2)

    def settle(self, seconds: float = 1.0) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(0.1)

    def close(self) -> None:
        self.child.terminate(force=True)


def main() -> None:
    env = {**os.environ, "TERM": "xterm-256color", "TUTOR_HOME": tempfile.mkdtemp()}
    tutor = str(Path(sys.executable).with_name("tutor"))
    rows: list[tuple[str, str]] = []
    byte_compile()

    bare = Terminal([sys.executable, str(ROOT / "bench" / "bare_app.py"), *lesson_entries()], env)
    bare.wait_for("LLM basics")
    bare.settle()
    rows.append(("bare Textual app, lesson-list widgets", f"{rss_mib(bare.child.pid):.1f} MiB"))
    bare.close()

    app = Terminal([tutor, "--device", "cpu"], env)
    app.wait_for("LLM basics")
    app.settle()
    rows.append(("tutor at the lesson list", f"{rss_mib(app.child.pid):.1f} MiB"))
    app.close()

    app = Terminal([tutor, "autograd", "--device", "cpu"], env)
    app.wait_for("ready")
    app.child.send(F8)  # the intro has no cell; the chain-rule step has one
    app.wait_for("The chain rule")
    app.child.send(F5)
    app.wait_for("small step:")
    app.settle()
    rows.append(("tutor in a lesson, after running a cell", f"{rss_mib(app.child.pid):.1f} MiB"))
    for _ in range(ROUNDS):
        for key in [F8] * (STEPS - 1) + [F7] * (STEPS - 1):
            app.child.send(key)
            app.settle(0.5)
    app.wait_for("1/8")
    app.settle()
    rows.append((f"same, after walking to the last step and back {ROUNDS} times",
                 f"{rss_mib(app.child.pid):.1f} MiB"))
    app.close()

    console = shutil.which("jupyter-console", path=str(Path(sys.executable).parent))
    if console:
        jup = Terminal([console, "--simple-prompt"], env)
        jup.wait_for("In [1]")
        jup.child.send("import torch; x = torch.ones(3, requires_grad=True); y = (x * 2).sum()\r")
        jup.wait_for("In [2]")
        jup.settle()
        rows.append(("jupyter console (client process only)", f"{rss_mib(jup.child.pid):.1f} MiB"))
        jup.close()
    else:
        rows.append(("jupyter console", "not installed (pip install '.[bench]')"))

    print(machine())
    print("### UI process memory (RSS), 80x24", "", "| process | RSS |", "| --- | --- |",
          *[f"| {what} | {value} |" for what, value in rows], sep="\n")
    print("\nbudget: tutor's UI process <= 45 MiB")


if __name__ == "__main__":
    main()
