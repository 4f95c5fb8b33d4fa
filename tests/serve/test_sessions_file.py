"""The sessions file (DIR/run/sessions.json) of `tutor serve`, without SSH: it follows who comes
and goes at once, whatever the runner is doing, and its sampler outlives any error."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tutor.serve import service as service_module
from tutor.serve.classdir import ClassDir
from tutor.serve.server import LiveSession, ServeOptions
from tutor.serve.service import ClassService


class BusyRunner:
    """Stands in for the class's runner: `clients` answers only when the test says so."""

    def __init__(self) -> None:
        self.answers: asyncio.Queue[dict[int, list[int]] | Exception] = asyncio.Queue()

    async def clients(self) -> dict[int, list[int]]:
        answer = await self.answers.get()
        if isinstance(answer, Exception):
            raise answer
        return answer


async def until(condition: Callable[[], Any], what: str) -> None:
    """Wait until `condition()` holds (the sampler runs on this loop)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never: {what}")


def students(classdir: ClassDir) -> list[str]:
    return [session["student"] for session in classdir.sessions()]


async def test_the_sessions_file_follows_arrivals_at_once_and_the_sampler_survives_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "SAMPLE_S", 0.01)
    classdir = ClassDir(tmp_path / "class")
    classdir.prepare()
    news: list[str] = []
    service = ClassService(classdir, ServeOptions(), "127.0.0.1", 0, "cpu", news.append)
    runner = BusyRunner()
    service.runner = runner  # type: ignore[assignment]
    service.start_sampling()
    try:
        # The runner has not answered the sampler yet: an arrival is in the file all the same.
        ada = LiveSession("ada", "127.0.0.1:5000", time.time(), app_pid=os.getpid())
        service.server.add_session(ada)
        assert students(classdir) == ["ada"]
        # Any error in a sample is said once, and the next sample is taken all the same.
        runner.answers.put_nowait(RuntimeError("the runner said something odd"))
        await until(lambda: any("the runner said something odd" in line for line in news),
                    "the sampler said what went wrong")
        runner.answers.put_nowait({os.getpid(): [os.getpid()]})
        await until(lambda: classdir.sessions()[0]["workers"] == [os.getpid()],
                    "the next sample measured ada's workers")
        assert classdir.sessions()[0]["pss_mib"] > 0
        assert service.sampler is not None and not service.sampler.done()
        assert sum("the runner said something odd" in line for line in news) == 1
        # A departure, too, is in the file at once.
        service.server.remove_session(ada)
        assert students(classdir) == []
    finally:
        assert service.sampler is not None
        service.sampler.cancel()
