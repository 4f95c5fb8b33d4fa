"""The progress store under several processes: concurrent sessions and a SIGKILL mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.progress import ProgressStore

ROOT = Path(__file__).resolve().parents[2]

#: A learner session: opens the store, waits for "go", then records `count` attempts,
#: printing each one's number once `record_attempt` has returned.
WRITER = """
import sys
from pathlib import Path
from tutor.progress import ProgressStore

path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
store = ProgressStore(path)
assert store.saving, store.problem
print("ready", flush=True)
sys.stdin.readline()
for i in range(count):
    store.record_attempt("lesson", name, str(i), i % 2 == 0, "m", device="cpu", torch_version="t")
    store.complete_step(name, i % 7)
    if not store.saving:
        sys.exit(f"not saving: {store.problem}")
    print(i, flush=True)
store.close()
"""


def start_writer(path: Path, name: str, count: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), name, str(count)], cwd=ROOT, env=env,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    return process


def go(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


def test_two_sessions_write_at_once_without_loss(tmp_path):
    path = tmp_path / "progress.sqlite3"
    writers = [start_writer(path, name, 1000) for name in ("one", "two")]
    for writer in writers:
        go(writer)
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.split()[-1] == "999"
    with ProgressStore(path) as store:
        assert store.problem is None
        for name in ("one", "two"):
            answers = [r["answer"] for r in store.attempts() if r["quiz"] == name]
            assert answers == [str(i) for i in range(1000)]
            assert store.completed_steps(name) == set(range(7))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_write_loses_no_reported_attempt(tmp_path):
    path = tmp_path / "progress.sqlite3"
    writer = start_writer(path, "killed", 1_000_000)
    go(writer)
    assert writer.stdout is not None
    reported = [writer.stdout.readline() for _ in range(300)]
    writer.send_signal(signal.SIGKILL)
    rest, _ = writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL
    # Lines printed after the 300th were reported too; a partial last line was not.
    reported += [line + "\n" for line in rest.split("\n")[:-1]]
    numbers = [int(line) for line in reported]
    with ProgressStore(path) as store:
        assert store.problem is None and store.saving
        answers = [int(r["answer"]) for r in store.attempts()]
    assert answers[: len(numbers)] == numbers
    # At most the attempt being written when the signal came is beyond what was reported.
    assert len(answers) - len(numbers) in (0, 1)
