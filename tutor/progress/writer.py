"""Progress writes off the event loop: each commit fsyncs (`synchronous=FULL`), which can take
tens of milliseconds on a busy disk, so the UI hands writes to one thread that runs them in order.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import Any

from tutor.progress.store import ProgressStore


class ProgressWriter:
    """Runs a store's writes one at a time, in the order they were submitted, on one thread."""

    def __init__(self, store: ProgressStore) -> None:
        self.store = store
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="tutor-progress")
        self._last: concurrent.futures.Future[Any] | None = None

    def submit(self, write: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue `write(*args, **kwargs)` (a method of the store) behind earlier writes."""
        self._last = self._pool.submit(write, *args, **kwargs)

    async def flush(self) -> None:
        """Wait, without blocking the event loop, until every write submitted so far is done."""
        last = self._last
        if last is not None:
            await asyncio.wrap_future(last)

    def close(self) -> None:
        """Finish the queued writes (blocking) and stop the thread; the store stays open."""
        self._pool.shutdown(wait=True)
