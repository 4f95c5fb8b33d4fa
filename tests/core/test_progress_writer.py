"""Progress writes leave the event loop's thread and land in the order they were made."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from tutor.progress import ProgressStore
from tutor.progress.writer import ProgressWriter


class RecordingStore(ProgressStore):
    """A store that notes which thread each step completion was written on."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.threads: list[int] = []

    def complete_step(self, lesson: str, step: int) -> None:
        self.threads.append(threading.get_ident())
        super().complete_step(lesson, step)


def test_writes_run_on_another_thread_in_order(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path / "progress.sqlite3")
    writer = ProgressWriter(store)

    async def write() -> None:
        for step in range(5):
            writer.submit(store.complete_step, "lesson", step)
            writer.submit(store.set_position, "lesson", step)
        await writer.flush()

    asyncio.run(write())
    assert store.completed_steps("lesson") == {0, 1, 2, 3, 4}
    assert store.position("lesson") == 4  # the last position written wins: order was kept
    assert threading.get_ident() not in store.threads and len(set(store.threads)) == 1
    writer.close()
    store.close()


def test_close_finishes_queued_writes(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.sqlite3")
    writer = ProgressWriter(store)
    for step in range(20):
        writer.submit(store.complete_step, "lesson", step)
    writer.close()
    assert len(store.completed_steps("lesson")) == 20
    store.close()
