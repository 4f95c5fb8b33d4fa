"""The runner client: starts the zygote, keeps one worker per namespace, returns plain results.

Lives in the UI process, so it never imports torch and never forks (the zygote is a subprocess).
Result formats are documented on `Runner.execute` and `Runner.evaluate`.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from tutor.runner import protocol
from tutor.runner.state import RunnerError, RunnerState

__all__ = ["Runner", "RunnerError", "RunnerState"]

#: Seconds a stopped cell gets to return after SIGINT before its worker is replaced.
INTERRUPT_GRACE_S = 1.0
#: Seconds to wait for the zygote's word on how a dead worker ended.
EXIT_STATUS_WAIT_S = 0.5


def default_memory_limit_mib() -> int:
    """A quarter of physical memory, between 1 and 8 GiB: room for lessons, not for accidents."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (ValueError, OSError, AttributeError):
        return 2048
    return max(1024, min(8192, total // 4))


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"kind": kind, "message": message, "traceback": ""}


class _Worker:
    """The client's handle on one worker process."""

    def __init__(self, pid: int, sock: socket.socket, out_fd: int) -> None:
        self.pid = pid
        self.sock = sock
        self.out_fd = out_fd
        self.replies: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.lock = asyncio.Lock()
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.sink: Callable[[str], None] | None = None
        self.pending_output: list[str] = []
        self.stop_reason: str | None = None
        self.wake = asyncio.Event()
        self.exit_status: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.reader: asyncio.Task[None] | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.alive = True


class _Output:
    """Collects one request's output, streaming it and truncating past the limit."""

    def __init__(self, limit: int, on_output: Callable[[str], None] | None) -> None:
        self.limit = limit
        self.on_output = on_output
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def write(self, text: str) -> None:
        room = self.limit - self.size
        kept = text[: max(room, 0)]
        self.dropped += len(text) - len(kept)
        if kept:
            self.parts.append(kept)
            self.size += len(kept)
            if self.on_output is not None:
                self.on_output(kept)

    def result(self) -> tuple[str, bool]:
        """The kept text, ending with a note when some was dropped (streamed too, once)."""
        note = ""
        if self.dropped:
            note = f"\n[output truncated: {self.dropped} more characters not shown]\n"
            if self.on_output is not None:
                self.on_output(note)
        return "".join(self.parts) + note, bool(self.dropped)


class Runner:
    """Runs code out of process, one forked worker per namespace (see design.md, "The runner")."""

    def __init__(
        self,
        device: str = "auto",
        *,
        timeout: float = 10.0,
        output_limit: int = 200_000,
        memory_limit_mib: int | None = default_memory_limit_mib(),
        on_state: Callable[[RunnerState, str | None], None] | None = None,
        spawn_workers: bool = False,
        preload: bool = True,
    ) -> None:
        self.requested_device = device
        self.timeout = timeout
        self.output_limit = output_limit
        self.memory_limit_mib = memory_limit_mib
        self.on_state = on_state
        self.spawn_workers = spawn_workers
        #: Whether the zygote imports torch._dynamo once ready (see zygote.PRELOAD_AFTER_READY).
        self.preload = preload
        self.state = RunnerState.STARTING
        self.reason: str | None = None
        self.device_info: dict[str, Any] = {}
        self.zygote_pid: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._frames = protocol.FrameBuffer()
        self._fds: list[int] = []
        self._ready: asyncio.Future[dict[str, Any]] | None = None
        self._spawns: dict[str, asyncio.Future[tuple[int, int, int]]] = {}
        self._workers: dict[str, _Worker] = {}
        self._by_pid: dict[int, _Worker] = {}
        self._generation: dict[str, int] = {}
        self._tokens = itertools.count()
        self._busy = 0
        self._stderr: IO[bytes] | None = None
        self._closed = False

    def _set_state(self, state: RunnerState, reason: str | None = None) -> None:
        if self.state == RunnerState.DEAD and state != RunnerState.DEAD:
            return
        self.state, self.reason = state, reason
        if self.on_state is not None:
            self.on_state(state, reason)

    def generation(self, namespace: str) -> int:
        """How many times `namespace` has been (re)created; a change means its state was lost."""
        return self._generation.get(namespace, 0)

    def worker_pids(self) -> list[int]:
        """Pids of the live workers (for memory measurements and tests)."""
        return [w.pid for w in self._workers.values() if w.alive]

    async def start(self) -> None:
        """Launch the zygote; return when it is ready (raises RunnerError, state DEAD, if not)."""
        loop = asyncio.get_running_loop()
        self._set_state(RunnerState.STARTING)
        client_end, zygote_end = socket.socketpair()
        self._control = client_end
        client_end.setblocking(False)
        args = [sys.executable, "-m", "tutor.runner.zygote", "--control", str(zygote_end.fileno()),
                "--device", self.requested_device]
        if threading.current_thread() is threading.main_thread():
            # PR_SET_PDEATHSIG fires when the forking *thread* ends, so only ask from the main one.
            args += ["--parent", str(os.getpid())]
        if self.memory_limit_mib:
            args += ["--memory-limit-mib", str(self.memory_limit_mib)]
        if self.spawn_workers:
            args.append("--spawn")
        if not self.preload:
            args.append("--no-preload")
        env = dict(os.environ)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        env["OMP_NUM_THREADS"] = "1"
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (kept until close())
        self._ready = loop.create_future()
        try:
            self._process = subprocess.Popen(
                args, pass_fds=[zygote_end.fileno()], stdin=subprocess.DEVNULL,
                stdout=self._stderr, stderr=self._stderr, env=env, start_new_session=True,
            )
        finally:
            zygote_end.close()
        self.zygote_pid = self._process.pid
        loop.add_reader(client_end.fileno(), self._on_control)
        try:
            info = await self._ready
        except RunnerError as exc:
            self._set_state(RunnerState.DEAD, str(exc))
            await self.close()
            raise
        self.device_info = info
        self._set_state(RunnerState.READY)

    def _zygote_stderr(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else ""

    async def close(self) -> None:
        """Stop every worker and the zygote; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for namespace in list(self._workers):
            self._drop(namespace, kill=True)
        if self._control is not None:
            with contextlib.suppress(ValueError, RuntimeError):
                asyncio.get_running_loop().remove_reader(self._control.fileno())
            self._control.close()
        if self._process is not None:
            deadline = time.monotonic() + 2.0
            while self._process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self.state != RunnerState.DEAD:
            self._set_state(RunnerState.DEAD, "The runner was closed.")

    def _on_control(self) -> None:
        assert self._control is not None
        try:
            data, fds, _, _ = socket.recv_fds(self._control, 65536, 16)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, fds = b"", []
        self._fds.extend(fds)
        if not data:
            self._on_zygote_gone()
            return
        for message in self._frames.feed(data):
            self._on_event(message)

    def _on_event(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        if event == "ready" and self._ready is not None and not self._ready.done():
            self._ready.set_result(message["info"])
        elif event == "error" and self._ready is not None and not self._ready.done():
            reason = f"The runner cannot start: {message['message']}."
            self._ready.set_exception(RunnerError(reason))
        elif event == "spawned":
            sock_fd, out_fd = self._fds.pop(0), self._fds.pop(0)
            future = self._spawns.pop(message["token"], None)
            if future is not None and not future.done():
                future.set_result((message["pid"], sock_fd, out_fd))
            else:
                os.close(sock_fd)
                os.close(out_fd)
        elif event == "exit":
            worker = self._by_pid.pop(message["pid"], None)
            if worker is not None and not worker.exit_status.done():
                worker.exit_status.set_result(message["status"])

    def _on_zygote_gone(self) -> None:
        assert self._control is not None
        asyncio.get_running_loop().remove_reader(self._control.fileno())
        if self._closed:
            return
        detail = self._zygote_stderr()
        reason = "The runner process stopped" + (f" ({detail})." if detail else ".")
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(RunnerError(reason.replace("stopped", "failed to start")))
        for future in self._spawns.values():
            if not future.done():
                future.set_exception(RunnerError(reason))
        self._set_state(RunnerState.DEAD, reason)

    def _check_alive(self) -> None:
        if self.state == RunnerState.DEAD:
            raise RunnerError(self.reason or "The runner is not running.")
        if self._control is None:
            raise RunnerError("The runner has not been started.")

    async def _spawn(self, namespace: str) -> _Worker:
        self._check_alive()
        assert self._control is not None
        loop = asyncio.get_running_loop()
        token = str(next(self._tokens))
        future: asyncio.Future[tuple[int, int, int]] = loop.create_future()
        self._spawns[token] = future
        self._control.setblocking(True)
        try:
            protocol.send(self._control, {"cmd": "spawn", "token": token})
        finally:
            self._control.setblocking(False)
        pid, sock_fd, out_fd = await future
        sock = socket.socket(fileno=sock_fd)
        worker = _Worker(pid, sock, out_fd)
        reader, writer = await asyncio.open_connection(sock=sock)
        worker.writer = writer
        worker.reader = asyncio.create_task(self._read_replies(worker, reader))
        os.set_blocking(out_fd, False)
        loop.add_reader(out_fd, self._on_output, worker)
        self._workers[namespace] = worker
        self._by_pid[pid] = worker
        self._generation[namespace] = self._generation.get(namespace, 0) + 1
        hello = await worker.replies.get()
        if hello is None:
            self._drop(namespace, kill=True)
            raise RunnerError("A new worker died while starting.")
        return worker

    async def _read_replies(self, worker: _Worker, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                header = await reader.readexactly(protocol.HEADER.size)
                (size,) = protocol.HEADER.unpack(header)
                body = await reader.readexactly(size)
                await worker.replies.put(protocol.FrameBuffer().feed(header + body)[0])
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            await worker.replies.put(None)

    def _on_output(self, worker: _Worker) -> None:
        self._read_output(worker)

    def _read_output(self, worker: _Worker) -> None:
        """Move whatever the worker's output pipe holds to the current request (or keep it)."""
        while worker.alive:  # a dropped worker's fd is closed, and its number may be reused
            try:
                data = os.read(worker.out_fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                asyncio.get_running_loop().remove_reader(worker.out_fd)
                return
            text = worker.decoder.decode(data)
            if not text:
                continue
            if worker.sink is not None:
                worker.sink(text)
            elif sum(map(len, worker.pending_output)) < self.output_limit:
                worker.pending_output.append(text)

    def _drop(self, namespace: str, *, kill: bool) -> None:
        """Forget a namespace's worker, killing it if asked."""
        worker = self._workers.pop(namespace, None)
        if worker is None:
            return
        worker.alive = False
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
        with contextlib.suppress(ValueError, RuntimeError):
            asyncio.get_running_loop().remove_reader(worker.out_fd)
        os.close(worker.out_fd)
        if worker.reader is not None:
            worker.reader.cancel()
        if worker.writer is not None:
            worker.writer.close()
        else:
            worker.sock.close()

    async def _worker(self, namespace: str) -> _Worker:
        worker = self._workers.get(namespace)
        if worker is None or not worker.alive:
            worker = await self._spawn(namespace)
        return worker

    async def _request(
        self,
        namespace: str,
        message: dict[str, Any],
        timeout: float | None,
        on_output: Callable[[str], None] | None,
    ) -> tuple[dict[str, Any], str, bool]:
        """Send one request; return (reply, output, truncated); faults become error replies."""
        self._check_alive()
        worker = await self._worker(namespace)
        async with worker.lock:
            if not worker.alive:
                worker = await self._worker(namespace)
            self._busy += 1
            self._set_state(RunnerState.BUSY)
            output = _Output(self.output_limit, on_output)
            for text in worker.pending_output:
                output.write(text)
            worker.pending_output.clear()
            worker.sink = output.write
            worker.stop_reason = None
            worker.wake.clear()
            limit = self.timeout if timeout is None else timeout
            try:
                assert worker.writer is not None
                worker.writer.write(protocol.encode(message))
                subject = {"exec": "cell", "eval": "expression"}.get(message["op"], "request")
                reply = await self._await_reply(namespace, worker, limit, subject)
            finally:
                self._read_output(worker)
                worker.sink = None
                self._busy -= 1
            text, truncated = output.result()
            if reply.get("_replaced"):
                await self._replace(namespace)
            elif self._busy == 0:
                self._set_state(RunnerState.READY)
            return reply, text, truncated

    async def _await_reply(
        self, namespace: str, worker: _Worker, limit: float, subject: str
    ) -> dict[str, Any]:
        """The worker's reply; `subject` ("cell", "expression") names what ran in messages."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        kill_at: float | None = None
        getter = asyncio.ensure_future(worker.replies.get())
        try:
            while True:
                waker = asyncio.ensure_future(worker.wake.wait())
                until = deadline if kill_at is None else kill_at
                done, _ = await asyncio.wait(
                    {getter, waker}, timeout=max(0.0, until - loop.time()),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                waker.cancel()
                if worker.stop_reason == "dropped":  # by drop(): no reply, no replacement
                    return {"error": _error(
                        "exception", "The namespace was closed while this ran.")}
                if getter in done:
                    reply = getter.result()
                    if reply is None:
                        return await self._crashed(namespace, worker)
                    return self._after_stop(worker, reply, limit, subject)
                if waker in done:
                    worker.wake.clear()
                    if kill_at is None:
                        kill_at = loop.time() + INTERRUPT_GRACE_S
                    continue
                if kill_at is None:
                    worker.stop_reason = "timeout"
                    self._signal(worker, signal.SIGINT)
                    kill_at = loop.time() + INTERRUPT_GRACE_S
                    continue
                # The interrupt did not land (C code, a blocked signal): replace the worker.
                what = (
                    f"The {subject} ran longer than {limit:g} s"
                    if worker.stop_reason == "timeout"
                    else f"The {subject} was interrupted"
                )
                self._drop(namespace, kill=True)
                kind = "timeout" if worker.stop_reason == "timeout" else "exception"
                return {"_replaced": True, "error": _error(
                    kind, f"{what} and did not stop, so its namespace was reset.")}
        finally:
            getter.cancel()

    def _after_stop(
        self, worker: _Worker, reply: dict[str, Any], limit: float, subject: str
    ) -> dict[str, Any]:
        """Reword the error of a cell or expression stopped by a timeout or an interrupt."""
        error = reply.get("error")
        if error is None or not error.pop("interrupted", False) or worker.stop_reason is None:
            return reply
        where = error["message"].partition(":")[0].removeprefix("KeyboardInterrupt").strip()
        where = f" ({where})" if where else ""
        if worker.stop_reason == "timeout":
            error["kind"] = "timeout"
            error["message"] = (
                f"The {subject} ran longer than {limit:g} s and was stopped{where}; "
                "the namespace is kept."
            )
        else:
            error["message"] = f"The {subject} was interrupted{where}; the namespace is kept."
        return reply

    async def _crashed(self, namespace: str, worker: _Worker) -> dict[str, Any]:
        """The worker died mid-request: say how, in one sentence, and schedule a replacement."""
        try:
            status: int | None = await asyncio.wait_for(
                asyncio.shield(worker.exit_status), EXIT_STATUS_WAIT_S)
        except asyncio.TimeoutError:
            status = None
        self._drop(namespace, kill=True)
        how = "stopped unexpectedly" if status is None else protocol.describe_status(status)
        return {"_replaced": True, "error": _error(
            "crash", f"The worker {how}; the namespace was reset.")}

    async def _replace(self, namespace: str) -> None:
        """Start a fresh worker for a namespace whose worker was lost."""
        self._set_state(RunnerState.RESTARTING)
        try:
            await self._spawn(namespace)
        finally:
            if self._busy == 0:
                self._set_state(RunnerState.READY)

    def _signal(self, worker: _Worker, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signum)

    async def execute(
        self,
        namespace: str,
        code: str,
        *,
        timeout: float | None = None,
        on_output: Callable[[str], None] | None = None,
        filename: str = "<cell>",
    ) -> dict[str, Any]:
        """Run `code` in `namespace` (created on first use).

        Returns `{"ok", "output", "truncated", "error", "snapshot", "duration_s"}`; `error` is None
        or `{"kind": exception|timeout|crash|out_of_memory, "message", "traceback"}`; `snapshot` is
        `{"tensors": [...], "graph": tree | None}` (empty after a crash).
        """
        started = time.perf_counter()
        reply, output, truncated = await self._request(
            namespace, {"op": "exec", "code": code, "filename": filename}, timeout, on_output)
        error = reply.get("error")
        if error is not None:
            error.pop("interrupted", None)
        return {
            "ok": error is None,
            "output": output,
            "truncated": truncated,
            "error": error,
            "snapshot": reply.get("snapshot") or {"tensors": [], "graph": None},
            "plots": reply.get("plots") or [],
            "duration_s": reply.get("duration_s", time.perf_counter() - started),
        }

    async def evaluate(
        self, namespace: str, expression: str, *, fresh_copy: bool = False,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Evaluate `expression`; `{"ok", "value" (see tutor.runner.values), "repr", "error"}`.

        With `fresh_copy` it runs in a forked copy of the namespace, which it cannot change.
        """
        reply, _, _ = await self._request(
            namespace, {"op": "eval", "expression": expression, "fresh_copy": fresh_copy},
            timeout, None)
        error = reply.get("error")
        if error is not None:
            error.pop("interrupted", None)
        return {
            "ok": error is None,
            "value": reply.get("value"),
            "repr": reply.get("repr", ""),
            "error": error,
        }

    async def graph(
        self, namespace: str, name: str, *, max_depth: int = 8, max_nodes: int = 40
    ) -> dict[str, Any] | None:
        """The autograd tree of `name` in `namespace`, or None if it has no grad_fn."""
        reply, _, _ = await self._request(
            namespace,
            {"op": "graph", "name": name, "max_depth": max_depth, "max_nodes": max_nodes},
            None, None)
        graph: dict[str, Any] | None = reply.get("graph")
        return graph

    async def reset(self, namespace: str) -> None:
        """Give `namespace` a fresh, empty worker (forked from the zygote)."""
        self._check_alive()
        worker = self._workers.get(namespace)
        if worker is not None:
            async with worker.lock:
                self._drop(namespace, kill=True)
        await self._spawn(namespace)

    async def drop(self, namespace: str) -> None:
        """End `namespace`'s worker and forget it, freeing its memory; no-op if unknown.

        A request running there returns an error; a later use starts a fresh, empty namespace.
        """
        worker = self._workers.get(namespace)
        if worker is None:
            return
        worker.stop_reason = "dropped"
        self._drop(namespace, kill=True)
        worker.wake.set()

    async def interrupt(self, namespace: str) -> None:
        """Stop the cell running in `namespace`; its worker is replaced if it does not stop."""
        worker = self._workers.get(namespace)
        if worker is None or not worker.lock.locked():
            return
        worker.stop_reason = "interrupt"
        self._signal(worker, signal.SIGINT)
        worker.wake.set()

