"""`tutor serve` at work: the class runner, the SSH server, and the live sessions file.

Runs on one event loop: the teacher's view (tutor.ui.teacher) starts it inside its own loop,
a headless `tutor serve` with asyncio.run. Every SAMPLE_S it writes DIR/run/sessions.json:
who is connected, their app and workers, and the workers' memory and CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from typing import Any

from tutor.runner.sandbox import capabilities, clean_environment
from tutor.serve.app_launcher import AppLauncher
from tutor.serve.class_runner import ClassRunner
from tutor.serve.classdir import ClassDir
from tutor.serve.metrics import CpuMeter, memory_kib
from tutor.serve.server import ClassServer, ServeOptions, listen

#: Seconds between two writes of the sessions file.
SAMPLE_S = 2.0


class ClassService:
    """The whole server of one class, started and stopped as one."""

    def __init__(self, classdir: ClassDir, options: ServeOptions, host: str, port: int,
                 device: str, on_news: Callable[[str], None], fork_apps: bool = True) -> None:
        self.classdir = classdir
        self.host, self.port = host, port
        self.news = on_news
        #: Fork students' apps from a UI zygote (tutor.ui.app_zygote) instead of spawning them.
        self.fork_apps = fork_apps
        self.server = ClassServer(classdir, options, on_news)
        self.runner = ClassRunner(classdir.runner_socket, device, on_news)
        self.acceptor: Any = None
        self.cpu = CpuMeter()
        self.sampler: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Prepare the class directory, start the runner, then take connections."""
        self.classdir.prepare()
        # The runner's environment is readable by every worker in /proc: no agents, no secrets.
        scrubbed = clean_environment()
        os.environ.clear()
        os.environ.update(scrubbed)
        for missing in capabilities()["missing"]:
            self.news(f"sandbox: {missing}")
        _, errors = self.classdir.students()
        for error in errors:
            self.news(f"students file: {error}")
        info = await self.runner.start()
        self.news(f"runner ready on {info.get('device', '?')} (one torch import for the class)")
        if self.fork_apps:
            launcher = AppLauncher()
            try:
                await launcher.start()
            except (OSError, asyncio.TimeoutError) as exc:
                self.news(f"apps will start as fresh interpreters (no UI zygote: {exc})")
                await launcher.close()
            else:
                self.server.launcher = launcher
        self.acceptor = await listen(self.server, self.host, self.port)
        self.port = self.acceptor.get_port()
        self.news(f"listening on {self.host}:{self.port}; students type: "
                  f"ssh -p {self.port} {self.host}")
        self.sampler = asyncio.ensure_future(self._sample_forever())

    async def sample(self) -> list[dict[str, Any]]:
        """The live sessions with their workers' memory and CPU; written to the sessions file."""
        workers = await self.runner.clients()
        rows = []
        for live in list(self.server.sessions):
            pids = workers.get(live.app_pid or -1, [])
            memory = [memory_kib(pid) for pid in pids]
            rows.append({
                "student": live.student, "peer": live.peer, "started": live.started,
                "app_pid": live.app_pid, "workers": pids,
                "pss_mib": round(sum(m[0] for m in memory) / 1024, 1),
                "rss_mib": round(sum(m[1] for m in memory) / 1024, 1),
                "cpu_percent": self.cpu.percent(pids),
            })
        self.cpu.forget({pid for pids in workers.values() for pid in pids})
        self.classdir.write_sessions(rows)
        return rows

    async def _sample_forever(self) -> None:
        while True:
            with contextlib.suppress(OSError):
                await self.sample()
            await asyncio.sleep(SAMPLE_S)

    async def close(self) -> None:
        """Stop taking connections, hang up every app, end the runner."""
        if self.sampler is not None:
            self.sampler.cancel()
        if self.acceptor is not None:
            self.acceptor.close()
        await asyncio.gather(*(live.app.hang_up() for live in self.server.sessions
                               if live.app is not None))
        self.classdir.write_sessions([])
        if self.server.launcher is not None:
            await self.server.launcher.close()
        await self.runner.close()
