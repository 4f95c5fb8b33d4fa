"""`tutor serve` at work: the class runner, the SSH server, and the live sessions file.

Runs on one event loop: the teacher's view (tutor.ui.teacher) starts it inside its own loop,
a headless `tutor serve` with asyncio.run. DIR/run/sessions.json says who is connected, their
app and workers, and the workers' memory and CPU: it is rewritten at once whenever someone comes
or goes (with the figures last measured), and every SAMPLE_S with fresh figures.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import Any

from tutor.i18n import _
from tutor.runner.sandbox import capabilities, clean_environment
from tutor.serve.app_launcher import AppLauncher
from tutor.serve.class_runner import ClassRunner
from tutor.serve.classdir import ClassDir
from tutor.serve.metrics import CpuMeter, memory_kib
from tutor.serve.server import ClassServer, ServeOptions, listen

#: Seconds between two samples (workers and their CPU) written to the sessions file.
SAMPLE_S = 2.0
#: Seconds a worker's memory figures are kept before they are read again: reading a torch
#: worker's smaps_rollup costs ~4 ms, 0.8 s of CPU for 100 students' workers each time.
MEMORY_S = 10.0


class ClassService:
    """The whole server of one class, started and stopped as one."""

    def __init__(self, classdir: ClassDir, options: ServeOptions, host: str, port: int,
                 device: str, on_news: Callable[[str], None], fork_apps: bool = True) -> None:
        self.classdir = classdir
        self.host, self.port = host, port
        self.news = on_news
        #: Fork students' apps from a UI zygote (tutor.app_zygote) instead of spawning them.
        self.fork_apps = fork_apps
        self.server = ClassServer(classdir, options, on_news)
        self.runner = ClassRunner(classdir.runner_socket, device, on_news)
        self.acceptor: Any = None
        self.cpu = CpuMeter()
        self.sampler: asyncio.Task[None] | None = None
        #: The figures last measured for each app, by its pid: workers, PSS, RSS, CPU.
        self.figures: dict[int, dict[str, Any]] = {}
        #: Each worker's last memory reading: (when, PSS KiB, RSS KiB).
        self.memory: dict[int, tuple[float, int, int]] = {}
        #: The last problem the sessions file had, said once (not every SAMPLE_S).
        self.problem: str | None = None
        self.server.on_change = self.write_sessions

    async def start(self) -> None:
        """Prepare the class directory, start the runner, then take connections."""
        self.classdir.prepare()
        # The runner's environment is readable by every worker in /proc: no agents, no secrets.
        scrubbed = clean_environment()
        os.environ.clear()
        os.environ.update(scrubbed)
        for missing in capabilities()["missing"]:
            self.news(_("sandbox: {missing}").format(missing=missing))
        errors = self.classdir.students()[1]
        for error in errors:
            self.news(_("students file: {error}").format(error=error))
        self.write_sessions()  # nobody yet: not what a previous server left
        info = await self.runner.start()
        self.news(_("runner ready on {device} (one torch import for the class)").format(
            device=info.get("device", "?")))
        if self.fork_apps:
            launcher = AppLauncher(self.server.options.lessons)
            try:
                await launcher.start()
            except (OSError, asyncio.TimeoutError) as exc:
                self.news(_("apps will start as fresh interpreters (no UI zygote: {error})")
                          .format(error=exc))
                await launcher.close()
            else:
                self.server.launcher = launcher
        self.acceptor = await listen(self.server, self.host, self.port)
        self.port = self.acceptor.get_port()
        self.news(_("listening on {host}:{port}; students type: ssh -p {port} {host}").format(
            host=self.host, port=self.port))
        self.start_sampling()

    def rows(self) -> list[dict[str, Any]]:
        """Who is connected now, with the figures last measured for their app."""
        rows = []
        for live in list(self.server.sessions):
            figures = self.figures.get(live.app_pid or -1, {})
            rows.append({
                "student": live.student, "peer": live.peer, "started": live.started,
                "app_pid": live.app_pid, "workers": figures.get("workers", []),
                "pss_mib": figures.get("pss_mib", 0.0), "rss_mib": figures.get("rss_mib", 0.0),
                "cpu_percent": figures.get("cpu_percent", 0.0),
            })
        return rows

    def write_sessions(self) -> None:
        """Rewrite the sessions file from the live sessions now; a failure is said, once."""
        try:
            self.classdir.write_sessions(self.rows())
        except OSError as exc:
            self.trouble(exc)

    def measure(self, workers: dict[int, list[int]]) -> dict[int, dict[str, Any]]:
        """Each app's workers with their memory (read again every MEMORY_S) and CPU; from
        /proc, so run off the event loop."""
        now = time.monotonic()
        figures = {}
        for app_pid, pids in workers.items():
            pss = rss = 0
            for pid in pids:
                seen = self.memory.get(pid)
                if seen is None or now - seen[0] >= MEMORY_S:
                    seen = (now, *memory_kib(pid))
                    self.memory[pid] = seen
                pss, rss = pss + seen[1], rss + seen[2]
            figures[app_pid] = {"workers": pids, "pss_mib": round(pss / 1024, 1),
                                "rss_mib": round(rss / 1024, 1),
                                "cpu_percent": self.cpu.percent(pids)}
        alive = {pid for pids in workers.values() for pid in pids}
        self.cpu.forget(alive)
        self.memory = {pid: seen for pid, seen in self.memory.items() if pid in alive}
        return figures

    async def sample(self) -> list[dict[str, Any]]:
        """Measure every app's workers (memory, CPU), then rewrite the sessions file."""
        workers = await self.runner.clients()
        self.figures = await asyncio.to_thread(self.measure, workers)
        rows = self.rows()  # who is connected after the wait, not before it
        self.classdir.write_sessions(rows)
        return rows

    def trouble(self, exc: BaseException) -> None:
        """Say what stops the sessions file from being kept, once per distinct problem."""
        problem = f"{type(exc).__name__}: {exc}"
        if problem != self.problem:
            self.problem = problem
            self.news(_("the sessions file is not kept up to date ({problem}); trying again "
                        "every {seconds} s").format(problem=problem, seconds=f"{SAMPLE_S:g}"))

    def start_sampling(self) -> None:
        """Measure and rewrite the sessions file every SAMPLE_S until closed."""
        self.sampler = asyncio.ensure_future(self._sample_forever())
        self.sampler.add_done_callback(self._sampler_ended)

    def _sampler_ended(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.news(_("the sessions file is no longer kept up to date ({problem})").format(
                problem=repr(task.exception())))

    async def _sample_forever(self) -> None:
        while True:
            try:
                await self.sample()
            except Exception as exc:  # whatever it is, the next sample may do better: say it
                self.trouble(exc)
            else:
                if self.problem is not None:
                    self.problem = None
                    self.news(_("the sessions file is kept up to date again"))
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
