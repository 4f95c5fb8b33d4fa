"""One CPU runner for the snapshot tests, on an event loop in a thread of its own.

The snapshot plugin runs each app with `App.run()`, on a new event loop, so the session's runner
(on the session loop) cannot serve it, and an app that starts its own runner pays for a zygote
(torch imported) per snapshot. `RunnerOnItsOwnLoop` runs the shared runner's coroutines on the
runner's loop and hands its callbacks (state changes, streamed output) back to the caller's loop,
in the order the runner made them; every app still gets fresh namespaces (a new lesson session
resets them before its first run).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from tutor.runner.client import Runner


class RunnerOnItsOwnLoop:
    """A started `Runner` living on `loop` (another thread), used from any other event loop."""

    def __init__(self, runner: Runner, loop: asyncio.AbstractEventLoop) -> None:
        object.__setattr__(self, "_runner", runner)
        object.__setattr__(self, "_loop", loop)

    def _on_its_loop(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self._loop))

    @staticmethod
    def _back_to(loop: asyncio.AbstractEventLoop, callback: Callable[..., Any]
                 ) -> Callable[..., None]:
        """`callback`, called on `loop` (dropped once that loop is closed: its app is gone)."""
        def call(*args: Any) -> None:
            with contextlib.suppress(RuntimeError):  # "Event loop is closed"
                loop.call_soon_threadsafe(callback, *args)
        return call

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._runner, name)
        if not inspect.iscoroutinefunction(value):
            return value

        async def on_its_loop(*args: Any, **kwargs: Any) -> Any:
            caller = asyncio.get_running_loop()
            kwargs = {key: self._back_to(caller, item) if callable(item) else item
                      for key, item in kwargs.items()}
            return await self._on_its_loop(value(*args, **kwargs))
        return on_its_loop

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "on_state" and value is not None:
            value = self._back_to(asyncio.get_running_loop(), value)
        setattr(self._runner, name, value)


def runner_on_its_own_loop() -> Iterator[RunnerOnItsOwnLoop]:
    """Start a CPU runner on a new loop in a daemon thread; close both afterwards."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="snapshot-runner", daemon=True)
    thread.start()
    runner = Runner("cpu")  # as a local `tutor` starts it (runner_options() is empty)
    asyncio.run_coroutine_threadsafe(runner.start(), loop).result(timeout=120)
    try:
        yield RunnerOnItsOwnLoop(runner, loop)
    finally:
        asyncio.run_coroutine_threadsafe(runner.close(), loop).result(timeout=60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
