"""`tutor check` past cells that kill or stop the runner (issue 10, item 3): every lesson is
checked, the cell that did it is reported as a crash, and the JSON report is printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tutor.checking import check_course
from tutor.course import load_course
from tutor.runner.client import MAX_RESTARTS
from tutor.runner.state import RunnerError

F = "```"


def lesson(lesson_id: str, order: int, *cells: str) -> str:
    body = "".join(f"{F}python\n{cell}\n{F}\n\n" for cell in cells)
    return f"---\nid: {lesson_id}\ntitle: {lesson_id}\norder: {order}\n---\n\n## One\n\n{body}"


def test_check_goes_on_past_cells_that_kill_or_stop_the_runner(tmp_path: Path) -> None:
    killers = [f"kill-{n}" for n in range(MAX_RESTARTS + 1)]  # more than a broken zygote gets
    for order, lesson_id in enumerate(killers):
        (tmp_path / f"{order}.md").write_text(lesson(
            lesson_id, order, "import os\nos.kill(os.getppid(), 9)", "x = 2"))
    (tmp_path / "s.md").write_text(lesson(
        "stop", 50, "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)", "x = 2"))
    (tmp_path / "t.md").write_text(lesson("fine", 60, "x = 2", "y = x * 3"))
    proc = subprocess.run([sys.executable, "-m", "tutor", "check", "--json", "--device", "cpu",
                           "--lessons", str(tmp_path)], capture_output=True, text=True,
                          timeout=240, cwd=Path(__file__).parents[2])
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    by_id = {entry["id"]: entry for entry in json.loads(proc.stdout)["lessons"]}
    assert list(by_id) == [*killers, "stop", "fine"]
    for lesson_id, words in [*((k, "runner process was killed") for k in killers),
                             ("stop", "runner process was stopped")]:
        first, second = by_id[lesson_id]["cells"]
        assert first["error"]["kind"] == "crash" and words in first["error"]["message"]
        assert second["ok"], second  # the next cell runs, in a fresh namespace
    assert by_id["fine"]["ok"] and all(cell["ok"] for cell in by_id["fine"]["cells"])


class DeadRunner:
    """A runner that has given up: every call raises, as Runner does in state DEAD."""

    async def reset(self, namespace: str) -> None:
        raise RunnerError("The runner process stopped, too often to restart it.")

    async def execute(self, namespace: str, code: str, **options: Any) -> dict[str, Any]:
        raise RunnerError("dead")

    async def evaluate(self, namespace: str, expression: str, **options: Any) -> dict[str, Any]:
        raise RunnerError("dead")

    async def drop(self, namespace: str) -> None:
        raise RunnerError("dead")


async def test_a_runner_that_gave_up_fails_each_lesson_not_the_check(tmp_path: Path) -> None:
    for order in (1, 2):
        (tmp_path / f"{order}.md").write_text(lesson(f"l{order}", order, "x = 1"))
    results = await check_course(DeadRunner(), load_course(tmp_path, use_cache=False))
    assert [entry["id"] for entry in results] == ["l1", "l2"]
    assert not any(entry["ok"] for entry in results)
    assert all("too often" in entry["errors"][0]["message"] for entry in results)
