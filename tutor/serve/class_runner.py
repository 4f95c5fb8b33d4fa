"""The class's shared runner, owned by the serve process: one zygote, one torch import.

The zygote is started with `--listen` on a socket in the class's 0700 runtime directory; each
student's app attaches to it (tutor.runner.shared). If the zygote dies it is started again at
the same path, and the apps' runners reconnect on their next request (they restart as they
would after a crash).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tutor.i18n import _
from tutor.runner.client import default_memory_limit_mib
from tutor.runner.state import RunnerError
from tutor.runner.zygote_link import ZygoteLink

#: Seconds between a lost zygote and its restart (so a crash loop cannot spin the CPU).
RESTART_PAUSE_S = 1.0


class ClassRunner:
    """Starts the shared zygote, lists who uses it, and restarts it if it goes."""

    def __init__(self, socket_path: Path, device: str = "auto",
                 on_news: Callable[[str], None] | None = None) -> None:
        self.socket_path = socket_path
        self.device = device
        self.on_news = on_news or (lambda line: None)
        self.link: ZygoteLink | None = None
        self.info: dict[str, Any] = {}
        self.listening: asyncio.Event | None = None
        self.closed = False
        self.restarting: asyncio.Task[None] | None = None

    async def start(self) -> dict[str, Any]:
        """Start the zygote; return its device info once apps can attach (RunnerError if not)."""
        self.listening = asyncio.Event()
        self.link = ZygoteLink(self.device, memory_limit_mib=default_memory_limit_mib(),
                               spawn_workers=False, preload=True, process_limit=None,
                               on_event=self._on_event, on_lost=self._on_lost,
                               listen=str(self.socket_path))
        self.info = await self.link.start()
        try:
            await asyncio.wait_for(self.listening.wait(), 10.0)
        except asyncio.TimeoutError:
            raise RunnerError(_("The class's runner did not open its socket.")) from None
        return self.info

    @property
    def pid(self) -> int | None:
        """The shared zygote's pid."""
        return self.link.pid if self.link is not None else None

    def _on_event(self, message: dict[str, Any]) -> None:
        if message.get("event") == "listening" and self.listening is not None:
            self.listening.set()

    def _on_lost(self, reason: str) -> None:
        if self.closed:
            return
        self.on_news(_("runner lost: {reason} Restarting it.").format(reason=reason))
        self.restarting = asyncio.ensure_future(self._restart())

    async def _restart(self) -> None:
        if self.link is not None:
            self.link.closing = True
            await self.link.close()
        await asyncio.sleep(RESTART_PAUSE_S)
        try:
            await self.start()
        except RunnerError as exc:
            self.on_news(_("runner could not restart: {error}").format(error=exc))
        else:
            self.on_news(_("runner restarted"))

    async def clients(self) -> dict[int, list[int]]:
        """Each attached app's pid, with its workers' pids ({} while restarting)."""
        if self.link is None or self.link.lost:
            return {}
        by_pid: dict[int, list[int]] = {}
        with contextlib.suppress(RunnerError, asyncio.TimeoutError):
            for client in await self.link.clients():
                by_pid.setdefault(int(client["pid"]), []).extend(client["workers"])
        return by_pid

    async def close(self) -> None:
        """End the zygote and every worker of the class."""
        self.closed = True
        if self.restarting is not None:
            self.restarting.cancel()
        if self.link is not None:
            await self.link.close()
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()
