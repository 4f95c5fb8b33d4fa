"""The installed `tutor` console script in a real pseudo-terminal (80x24, TERM=xterm).

The screen is read back with pyte, a terminal emulator, so these tests see what a learner sees.
They also check the process tree: no runner process may outlive the app, whether it quits with
Ctrl+Q or its terminal hangs up (SIGHUP, a dropped SSH connection).
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from pty_terminal import TUTOR, Terminal

from tutor.runner.reaping import descendants

pytestmark = pytest.mark.skipif(
    not TUTOR.exists() or not sys.platform.startswith("linux"),
    reason="needs the installed console script and /proc",
)


def runner_pids(pid: int) -> set[int]:
    """The zygote and workers under the app (their command line names the zygote module)."""
    return {p for p in descendants(pid) if b"tutor.runner.zygote" in cmdline(p)}


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def running(pid: int) -> bool:
    """True while `pid` is a live (not zombie) process that still runs the zygote module."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z" and b"tutor.runner.zygote" in cmdline(pid)


def wait_gone(pids: set[int], deadline_s: float = 2.0) -> set[int]:
    """The pids still running after the deadline (empty when all have ended)."""
    end = time.monotonic() + deadline_s
    alive = {p for p in pids if running(p)}
    while alive and time.monotonic() < end:
        time.sleep(0.05)
        alive = {p for p in alive if running(p)}
    return alive


def open_chain_rule_step(term: Terminal) -> set[int]:
    """From the lesson list, open the autograd lesson and run the chain-rule step's cell;
    return the runner's pids (zygote and workers) seen while it runs."""
    listing = term.wait_for("Lessons: ↑/↓ to choose")
    term.wait_for("ready")  # the runner has started
    number = re.search(r"(\d+)\. Automatic differentiation", listing)
    assert number, listing
    term.press(*["down"] * (int(number.group(1)) - 1), "enter")  # the first lesson starts lit
    term.wait_for("Automatic differentiation › 1/")
    term.press("f8")
    term.wait_for("The chain rule")
    term.press("f5")
    term.wait_for("chain rule: 42.0")
    term.wait_for("✓ done")
    pids = runner_pids(term.child.pid)
    assert len(pids) >= 2, "a zygote and the learner's worker"
    return pids


def test_learn_answer_and_quit_leaves_no_process(terminal: Callable[..., Terminal],
                                                  tmp_path: Path) -> None:
    term = terminal()
    pids = open_chain_rule_step(term)

    expected = math.cos(1.5 ** 2) * 2 * 1.5  # dy/dx of sin(x²) at 1.5, by the chain rule
    term.press("f2", f"{expected:.4f}", "enter")
    term.wait_for("✓ Correct")
    pids |= runner_pids(term.child.pid)  # the reference worker that computed the answer

    term.press("ctrl+q")
    term.child.expect(pexpect.EOF, timeout=5)
    assert wait_gone(pids) == set()

    env = {**os.environ, "TUTOR_HOME": str(tmp_path / "home")}
    shown = subprocess.run([str(TUTOR), "progress", "--json"], env=env, capture_output=True,
                           text=True, timeout=30, check=True)
    lessons = {entry["lesson"]: entry for entry in json.loads(shown.stdout)["lessons"]}
    autograd = lessons["autograd"]
    assert (autograd["attempts"], autograd["quizzes_solved"], autograd["first_try"]) == (1, 1, 1)


def test_hangup_leaves_no_process(terminal: Callable[..., Terminal]) -> None:
    term = terminal("autograd")
    term.wait_for("Automatic differentiation › 1/")
    term.wait_for("ready")
    term.press("f8")
    term.wait_for("The chain rule")
    term.press("f5")
    term.wait_for("✓ done")
    pids = runner_pids(term.child.pid)
    assert len(pids) >= 2 and all(running(p) for p in pids)

    os.kill(term.child.pid, signal.SIGHUP)
    assert wait_gone(pids) == set()
