"""The client's handle on the zygote process: launch, control channel, spawns, deadlines.

Every wait on the zygote has a deadline: a spawn that gets no answer is followed by a ping, and a
zygote that answers neither (stopped, wedged) is ended with its whole tree; `on_lost` then tells
the runner, which restarts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from tutor.i18n import _
from tutor.runner import protocol, reaping
from tutor.runner.state import RunnerError
from tutor.text import printable, shorten

#: Seconds the zygote has to answer a spawn or a ping before it is taken as hung.
ZYGOTE_DEADLINE_S = 3.0
#: The same for a class's shared zygote (tutor serve), which the serve process watches and
#: restarts: it forks for a whole class, and an app starved of CPU by a busy class sees its
#: answers late (asyncio runs a due timeout before the task that the answer woke), so a few
#: seconds would end workers, then whole runners, of apps that are only slow.
SHARED_DEADLINE_S = 30.0
#: Seconds the zygote has to import torch and report ready.
START_DEADLINE_S = 120.0
#: Seconds a closing zygote has to end its workers and exit before it is killed.
CLOSE_DEADLINE_S = 2.0


class ZygoteLost(RunnerError):
    """The zygote died or stopped answering; the message says which."""


class ZygoteLink:
    """One zygote process and its control socket."""

    def __init__(self, device: str, *, memory_limit_mib: int | None, spawn_workers: bool,
                 preload: bool, process_limit: int | None,
                 on_event: Callable[[dict[str, Any]], None],
                 on_lost: Callable[[str], None], attach: str | None = None,
                 listen: str | None = None) -> None:
        self.device = device
        #: A shared zygote's socket (tutor serve): connect to it instead of starting one.
        self.attach = attach
        #: Start the zygote shared: it also listens for apps on this socket path.
        self.listen = listen
        self.memory_limit_mib = memory_limit_mib
        self.spawn_workers = spawn_workers
        self.preload = preload
        self.process_limit = process_limit
        self.on_event = on_event
        self.on_lost = on_lost
        self.pid: int | None = None
        self.process: asyncio.subprocess.Process | None = None
        self.control: socket.socket | None = None
        self.frames = protocol.FrameBuffer()
        self.fds: list[int] = []
        self.ready: asyncio.Future[dict[str, Any]] | None = None
        self.waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.tokens = itertools.count()
        self.stderr: IO[bytes] | None = None
        self.lost = False
        self.closing = False
        #: Workers this zygote started (one that started none and died is counted as failing).
        self.spawned = 0

    @property
    def deadline(self) -> float:
        """Seconds the zygote has to answer (longer for a shared one)."""
        return SHARED_DEADLINE_S if self.attach else ZYGOTE_DEADLINE_S

    async def start(self) -> dict[str, Any]:
        """Launch the zygote and return its device info (ZygoteLost if it does not start)."""
        if self.attach:
            return await self._attach(self.attach)
        loop = asyncio.get_running_loop()
        client_end, zygote_end = socket.socketpair()
        self.control = client_end
        client_end.setblocking(False)
        args = ["-m", "tutor.runner.zygote_main", "--control", str(zygote_end.fileno()),
                "--device", self.device, "--parent", str(os.getpid())]
        if threading.current_thread() is threading.main_thread():
            # PR_SET_PDEATHSIG fires when the forking *thread* ends, so only ask from the main one.
            args.append("--death-signal")
        if self.memory_limit_mib:
            args += ["--memory-limit-mib", str(self.memory_limit_mib)]
        if self.process_limit:
            args += ["--max-processes", str(self.process_limit)]
        if self.spawn_workers:
            args.append("--spawn")
        if not self.preload:
            args.append("--no-preload")
        if self.listen:
            args += ["--listen", self.listen]
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        env["OMP_NUM_THREADS"] = "1"
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (kept until close())
        self.ready = loop.create_future()
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, *args, pass_fds=[zygote_end.fileno()],
                stdin=asyncio.subprocess.DEVNULL, stdout=self.stderr, stderr=self.stderr,
                env=env, start_new_session=True)
        finally:
            zygote_end.close()
        self.pid = self.process.pid
        loop.add_reader(client_end.fileno(), self._on_control)
        try:
            return await asyncio.wait_for(asyncio.shield(self.ready), START_DEADLINE_S)
        except asyncio.TimeoutError:
            self.kill()
            raise ZygoteLost(_("The runner did not start within {seconds} s.").format(
                seconds=f"{START_DEADLINE_S:g}")) from None

    async def _attach(self, path: str) -> dict[str, Any]:
        """Connect to a shared zygote; its `ready` comes first, with its pid."""
        loop = asyncio.get_running_loop()
        self.ready = loop.create_future()
        deadline = loop.time() + START_DEADLINE_S
        while True:  # the class's runner may be restarting: its socket comes back
            control = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                control.connect(path)
                break
            except OSError as exc:
                control.close()
                if loop.time() > deadline:
                    raise ZygoteLost(
                        f"The class's runner cannot be reached ({exc.strerror}).") from None
            await asyncio.sleep(0.5)
        control.setblocking(False)
        self.control = control
        loop.add_reader(control.fileno(), self._on_control)
        try:
            return await asyncio.wait_for(asyncio.shield(self.ready), self.deadline)
        except asyncio.TimeoutError:
            self.kill()
            raise ZygoteLost("The class's runner did not answer.") from None

    def stderr_tail(self) -> str:
        """The last line the zygote wrote to stderr (a traceback's last line, say), escaped and
        cut: a cell can write there too (/proc/<zygote>/fd/2), and it is shown in the app."""
        if self.stderr is None:
            return ""
        self.stderr.seek(0)
        lines = self.stderr.read()[-8192:].decode(errors="replace").strip().splitlines()
        return shorten(printable(lines[-1]), 300) if lines else ""

    def _on_control(self) -> None:
        assert self.control is not None
        try:
            data, fds, _flags, _address = socket.recv_fds(self.control, 65536, 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, fds = b"", []
        self.fds.extend(fds)
        if not data:
            self._gone(_("The runner process stopped"))
            return
        try:
            messages = self.frames.feed(data)
        except protocol.ProtocolError as exc:
            self.kill()
            self._gone(_("The runner process broke the protocol ({error})").format(error=exc))
            return
        for message in messages:
            self._on_message(message)

    def _on_message(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        if event == "ready" and self.ready is not None and not self.ready.done():
            if self.attach:
                self.pid = int(message.get("pid", 0)) or None
            self.ready.set_result(message["info"])
        elif event == "error" and self.ready is not None and not self.ready.done():
            reason = _("The runner cannot start: {error}.").format(error=message["message"])
            self.ready.set_exception(ZygoteLost(reason))
        elif event in ("spawned", "pong", "clients"):
            if event == "spawned":
                message["fds"] = [self.fds.pop(0), self.fds.pop(0)]
            future = self.waiting.pop(str(message.get("token")), None)
            if future is not None and not future.done():
                future.set_result(message)
            else:
                for fd in message.get("fds", []):
                    os.close(fd)
        else:
            self.on_event(message)

    def _gone(self, reason: str) -> None:
        if self.lost:
            return
        self.lost = True
        assert self.control is not None
        with contextlib.suppress(ValueError, RuntimeError, OSError):
            asyncio.get_running_loop().remove_reader(self.control.fileno())
        detail = self.stderr_tail()
        reason += f" ({detail})." if detail and not self.closing else "."
        error = ZygoteLost(reason)
        if self.ready is not None and not self.ready.done():
            self.ready.set_exception(ZygoteLost(reason.replace("stopped", "failed to start")))
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(error)
        self.waiting.clear()
        if not self.closing:
            self.on_lost(reason)

    async def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        """Send a command and await its answer (no deadline here)."""
        if self.lost or self.control is None:
            raise ZygoteLost(_("The runner process is not running."))
        token = str(next(self.tokens))
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.waiting[token] = future
        self.send({**command, "token": token})
        return await future

    def send(self, command: dict[str, Any]) -> None:
        """Send a command that needs no answer (a zygote that takes none of it within its
        deadline, stopped with a full socket, is taken as lost rather than block the app)."""
        if self.lost or self.control is None:
            return
        self.control.settimeout(self.deadline)
        try:
            protocol.send(self.control, command)
        except TimeoutError:  # alive but not reading (stopped): end it
            self.kill()
            self._gone(_("The runner process stopped"))
        except OSError:  # gone already (its pid may be reused: nothing is signalled)
            self._gone(_("The runner process stopped"))
        finally:
            with contextlib.suppress(OSError):
                self.control.setblocking(False)

    async def spawn(self, seed: int, sandbox: dict[str, Any] | None = None
                    ) -> tuple[int, int, int]:
        """A new worker's (pid, socket fd, output fd); ZygoteLost if the zygote is gone or hung.

        `sandbox` is the worker's policy (tutor.runner.sandbox), sent with the request.
        """
        command: dict[str, Any] = {"cmd": "spawn", "seed": seed}
        if sandbox is not None:
            command["sandbox"] = sandbox
        answer = asyncio.ensure_future(self._ask(command))
        try:
            while True:
                done, _pending = await asyncio.wait({answer}, timeout=self.deadline)
                if done:
                    message = answer.result()
                    pid, (sock_fd, out_fd) = int(message["pid"]), message["fds"]
                    self.spawned += 1
                    return pid, sock_fd, out_fd
                await self.check()  # busy (preloading) is fine; hung is not
        finally:
            answer.cancel()

    async def check(self) -> None:
        """Ping the zygote; end and report it (ZygoteLost) if it does not answer in time."""
        try:
            await asyncio.wait_for(self._ask({"cmd": "ping"}), self.deadline)
        except asyncio.TimeoutError:
            reason = _("The runner process stopped answering for {seconds} s").format(
                seconds=f"{self.deadline:g}")
            self.kill()
            self._gone(reason)
            raise ZygoteLost(reason + ".") from None

    def kill(self) -> None:
        """End the zygote's whole tree now (it may be stopped: nothing is asked of it).

        A shared zygote is not ours to end: the connection is closed instead, which ends this
        app's workers there.
        """
        if self.attach:
            if self.control is not None:
                with contextlib.suppress(ValueError, RuntimeError, OSError):
                    asyncio.get_running_loop().remove_reader(self.control.fileno())
                self.control.close()
        elif self.pid is not None:
            reaping.end_tree(self.pid)

    async def clients(self) -> list[dict[str, Any]]:
        """A shared zygote's apps: each one's pid and its workers' pids (the owner asks)."""
        answer = await asyncio.wait_for(self._ask({"cmd": "clients"}), ZYGOTE_DEADLINE_S)
        return list(answer.get("clients", []))

    async def close(self) -> None:
        """Ask the zygote to end everything and exit; kill its tree past the deadline."""
        self.closing = True
        if not self.lost:
            self.send({"cmd": "exit"})
        if self.control is not None:
            with contextlib.suppress(ValueError, RuntimeError, OSError):
                asyncio.get_running_loop().remove_reader(self.control.fileno())
            self.control.close()
        if self.process is not None:
            try:
                await asyncio.wait_for(self.process.wait(), CLOSE_DEADLINE_S)
            except asyncio.TimeoutError:
                self.kill()
                await self.process.wait()
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.fds.clear()
        if self.stderr is not None:
            self.stderr.close()
            self.stderr = None
