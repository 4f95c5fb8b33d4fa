"""The runner client: starts the zygote, keeps one worker per namespace, returns plain results.

Lives in the UI process, so it never imports torch and never forks (the zygote is a subprocess).
Result formats are tutor.runner.wire's; how the runner is built is docs/architecture.md's "The
runner". The zygote's link is tutor.runner.zygote_link, a worker's tutor.runner.worker_link,
and what a request waits for (replies, timeouts, interrupts, crashes) tutor.runner.requests.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import signal
import time
from collections.abc import Callable
from typing import Any

from tutor.i18n import _
from tutor.runner import reaping, wire
from tutor.runner.requests import COPY_MARK, RequestMixin, evaluated, in_app_language
from tutor.runner.state import RunnerError, RunnerState
from tutor.runner.worker_link import WorkerLink
from tutor.runner.zygote_link import ZygoteLink, ZygoteLost

__all__ = ["Runner", "RunnerError", "RunnerState"]

#: Zygote restarts allowed within RESTART_WINDOW_S before the runner gives up (state DEAD).
MAX_RESTARTS = 3
RESTART_WINDOW_S = 60.0
#: Seconds a new worker has to say hello.
HELLO_DEADLINE_S = 10.0


def default_memory_limit_mib() -> int:
    """A quarter of physical memory, between 1 and 8 GiB: room for lessons, not for accidents."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // (1024 * 1024)
    except (ValueError, OSError, AttributeError):
        return 2048
    return max(1024, min(8192, total // 4))


class Runner(RequestMixin):
    """Runs code out of process, one forked worker per namespace."""

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
        fresh_copy: str = "auto",
        process_limit: int | None = None,
        attach: str | None = None,
        sandbox: dict[str, Any] | None = None,
    ) -> None:
        self.requested_device = device
        self.timeout = timeout
        self.output_limit = output_limit
        self.memory_limit_mib = memory_limit_mib
        self.on_state = on_state
        self.spawn_workers = spawn_workers
        #: Whether the zygote imports torch._dynamo once ready (see zygote.PRELOAD_AFTER_READY).
        self.preload = preload
        #: How `evaluate(..., fresh_copy=True)` copies a namespace: "fork" (CPU), "replay" (a
        #: fresh worker re-runs the namespace's cells: GPUs, where a fork cannot use the device),
        #: or "auto" (fork on CPU with fork available, replay otherwise).
        self.fresh_copy_mode = fresh_copy
        #: Processes one worker may have below it (None: zygote_watchdog.MAX_PROCESSES).
        self.process_limit = process_limit
        #: A shared zygote's socket to use instead of starting one (tutor serve; see
        #: tutor.runner.shared).
        self.attach = attach
        #: The sandbox policy (tutor.runner.sandbox) of every namespace without its own.
        self.sandbox = sandbox
        self._sandboxes: dict[str, dict[str, Any]] = {}
        self.state = RunnerState.STARTING
        self.reason: str | None = None
        self.device_info: dict[str, Any] = {}
        self.zygote_pid: int | None = None
        self._zygote: ZygoteLink | None = None
        self._workers: dict[str, WorkerLink] = {}
        self._by_pid: dict[int, WorkerLink] = {}
        self._generation: dict[str, int] = {}
        #: Cells each namespace's worker ran, in order, with their filenames (for replay copies).
        self._history: dict[str, list[tuple[str, str]]] = {}
        self._ids = itertools.count()
        self._busy = 0
        self._closed = False
        self._restarts: list[float] = []
        self._restarting: asyncio.Task[None] | None = None
        self._forks = True
        #: Namespaces whose worker was ended with a lost zygote, between requests (see
        #: `_on_zygote_lost`); their next request reports the reset.
        self._lost: set[str] = set()

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

    def set_sandbox(self, namespace: str, policy: dict[str, Any] | None) -> None:
        """Sandbox `namespace`'s workers with `policy` from their next start (None: the
        runner's own). A running worker is not changed: reset the namespace to apply it now."""
        if policy is None:
            self._sandboxes.pop(namespace, None)
        else:
            self._sandboxes[namespace] = policy

    def _policy(self, namespace: str) -> dict[str, Any] | None:
        """The sandbox of `namespace` (a replay copy has that of the namespace it copies)."""
        return self._sandboxes.get(namespace.partition(COPY_MARK)[0], self.sandbox)

    def _new_zygote(self) -> ZygoteLink:
        return ZygoteLink(self.requested_device, memory_limit_mib=self.memory_limit_mib,
                          spawn_workers=self.spawn_workers, preload=self.preload,
                          process_limit=self.process_limit, on_event=self._on_zygote_event,
                          on_lost=self._on_zygote_lost, attach=self.attach)

    async def start(self) -> None:
        """Launch the zygote; return when it is ready (raises RunnerError, state DEAD, if not)."""
        self._set_state(RunnerState.STARTING)
        self._zygote = self._new_zygote()
        try:
            self.device_info = await self._zygote.start()
        except RunnerError as exc:
            self._set_state(RunnerState.DEAD, str(exc))
            await self.close()
            raise
        self.zygote_pid = self._zygote.pid
        self._forks = not self.spawn_workers and hasattr(os, "fork")
        self._set_state(RunnerState.READY)

    async def close(self) -> None:
        """Stop every worker and the zygote (which ends everything below it); safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._restarting is not None:
            self._restarting.cancel()
        for namespace in list(self._workers):
            self._drop(namespace, kill=True)
        if self._zygote is not None:
            await self._zygote.close()
        if self.state != RunnerState.DEAD:
            self._set_state(RunnerState.DEAD, _("The runner was closed."))

    def _on_zygote_event(self, message: dict[str, Any]) -> None:
        event = message.get("event")
        worker = self._by_pid.get(int(message.get("pid", 0)))
        if worker is None:
            return
        if event == "limit":
            worker.ended_because = in_app_language(message.get("said"), message.get("reason"))
        elif event == "exit":
            self._by_pid.pop(worker.pid, None)
            worker.exited(int(message["status"]))

    def _on_zygote_lost(self, reason: str) -> None:
        """The zygote died or hung: end what it left, fail requests, restart it meanwhile.

        A request in flight is answered by its worker, which then exits (or it times out);
        every other namespace that had a worker is marked, so that its next request says it
        was reset instead of running in a fresh namespace as if nothing happened. Only a
        zygote lost before it started any worker counts towards MAX_RESTARTS: one that a cell
        killed or stopped is always restarted (so a cell cannot end the runner for the
        session, nor `tutor check` for later lessons).
        """
        for namespace, worker in list(self._workers.items()):
            worker.orphan = True
            if worker.request_id is not None:
                continue  # its worker answers (tutor.runner.worker_process) or times out
            if COPY_MARK not in namespace:
                self._lost.add(namespace)
            self._drop(namespace, kill=True, tree=True)
        if self._closed:
            return
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < RESTART_WINDOW_S]
        if self._zygote is None or not self._zygote.spawned:
            self._restarts.append(now)
        if len(self._restarts) > MAX_RESTARTS:
            self._set_state(RunnerState.DEAD, _("{reason}, too often to restart it.").format(
                reason=reason.rstrip(".")))
            return
        self._set_state(RunnerState.RESTARTING, _("{reason}; restarting it.").format(
            reason=reason.rstrip(".")))
        self._restarting = asyncio.ensure_future(self._restart(reason))

    async def _restart(self, reason: str) -> None:
        old = self._zygote
        if old is not None:
            old.closing = True
            await old.close()
        self._zygote = self._new_zygote()
        try:
            await self._zygote.start()
        except RunnerError as exc:
            self._set_state(RunnerState.DEAD, str(exc))
            return
        self.zygote_pid = self._zygote.pid
        self._set_state(RunnerState.READY,
                        _("{reason}, so it was restarted; every namespace was reset.").format(
                            reason=reason.rstrip(".")))


    async def _zygote_ready(self) -> ZygoteLink:
        """The zygote, waiting for a restart in progress (RunnerError if there is none)."""
        if self._closed:
            raise RunnerError(_("The runner was closed."))
        if self._restarting is not None and not self._restarting.done():
            await asyncio.shield(self._restarting)
        if self.state == RunnerState.DEAD:
            raise RunnerError(self.reason or _("The runner is not running."))
        if self._zygote is None or self._zygote.control is None:
            raise RunnerError(_("The runner has not been started."))
        return self._zygote

    def _check_alive(self) -> None:
        if self.state == RunnerState.DEAD:
            raise RunnerError(self.reason or _("The runner is not running."))
        if self._zygote is None:
            raise RunnerError(_("The runner has not been started."))

    async def _spawn(self, namespace: str, seed: int | None = None) -> WorkerLink:
        """A fresh worker for `namespace`; a lost zygote is restarted and asked once more."""
        seed = secrets.randbits(63) if seed is None else seed
        for attempt in (1, 2):
            zygote = await self._zygote_ready()
            try:
                pid, sock_fd, out_fd = await zygote.spawn(seed, self._policy(namespace))
                break
            except ZygoteLost:
                if attempt == 2:
                    raise
        worker = WorkerLink(pid, sock_fd, out_fd, seed)
        self._workers[namespace] = worker
        self._by_pid[pid] = worker
        self._generation[namespace] = self._generation.get(namespace, 0) + 1
        self._history[namespace] = []
        try:
            hello = await asyncio.wait_for(asyncio.shield(worker.hello), HELLO_DEADLINE_S)
        except asyncio.TimeoutError:
            hello = None
        if not isinstance(hello, dict):
            self._drop(namespace, kill=True)
            raise RunnerError("A new worker died while starting.")
        return worker

    def _drop(self, namespace: str, *, kill: bool, tree: bool = False) -> None:
        """Forget a namespace's worker, killing it if asked (the zygote ends what is below it)."""
        worker = self._workers.pop(namespace, None)
        if worker is None:
            return
        if tree or worker.orphan:  # no zygote to do it: end the tree from here
            reaping.end_tree(worker.pid)
        elif kill and self._zygote is not None:
            self._zygote.send({"cmd": "end", "pid": worker.pid})
        worker.close(kill=kill)

    async def _worker(self, namespace: str) -> WorkerLink:
        worker = self._workers.get(namespace)
        if worker is None or not worker.alive:
            worker = await self._spawn(namespace)
        return worker

    def _uses_fork_copy(self) -> bool:
        if self.fresh_copy_mode in ("fork", "replay"):
            return self.fresh_copy_mode == "fork"
        return self._forks and self.device_info.get("device") == "cpu"

    async def execute(
        self,
        namespace: str,
        code: str,
        *,
        timeout: float | None = None,
        on_output: Callable[[str], None] | None = None,
        filename: str = "<cell>",
    ) -> wire.ExecuteResult:
        """Run `code` in `namespace` (created on first use).

        `error` is None or a wire.Error; `snapshot` is empty after a crash. A runner that lost
        its zygote gives a crash result (and restarts); only a closed or dead one raises.
        """
        started = time.perf_counter()
        reply, output, truncated = await self._request(
            namespace, {"op": "exec", "code": code, "filename": filename}, timeout, on_output)
        if namespace in self._history and "_replaced" not in reply:
            self._history[namespace].append((code, filename))
        error = reply.get("error")
        result: wire.ExecuteResult = {
            "ok": error is None,
            "output": output,
            "truncated": truncated,
            "error": error,
            "snapshot": reply.get("snapshot") or wire.empty_snapshot(),
            "plots": reply.get("plots") or [],
            "duration_s": float(reply.get("duration_s", time.perf_counter() - started)),
        }
        return result

    async def evaluate(
        self, namespace: str, expression: str, *, fresh_copy: bool = False,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Evaluate `expression`; a wire.EvaluateResult: `{"ok", "value", "repr", "error"}`.

        With `fresh_copy` it runs in a copy of the namespace, which it cannot change: a fork of
        the worker on CPU, a fresh worker that replays the namespace's cells elsewhere.
        """
        if fresh_copy and not self._uses_fork_copy():
            return await self._evaluate_in_replay(namespace, expression, timeout)
        reply, _output, _kept = await self._request(
            namespace, {"op": "eval", "expression": expression, "fresh_copy": fresh_copy},
            timeout, None)
        if reply.get("replay"):  # the worker cannot fork a copy (it uses CUDA): replay instead
            return await self._evaluate_in_replay(namespace, expression, timeout)
        return evaluated(reply)

    async def reset(self, namespace: str) -> None:
        """Give `namespace` a fresh, empty worker (forked from the zygote).

        Raises RunnerError only when the runner is closed or dead; a worker that cannot start
        now (its zygote just died) is started by the next request, which reports any failure.
        """
        await self._zygote_ready()
        self._lost.discard(namespace)
        worker = self._workers.get(namespace)
        if worker is not None:
            async with worker.lock:
                self._drop(namespace, kill=True)
        try:
            await self._spawn(namespace)
        except RunnerError:
            if self.state == RunnerState.DEAD or self._closed:
                raise

    async def drop(self, namespace: str) -> None:
        """End `namespace`'s worker and forget it, freeing its memory; no-op if unknown.

        A request running there returns an error; a later use starts a fresh, empty namespace.
        """
        self._lost.discard(namespace)
        worker = self._workers.get(namespace)
        if worker is None:
            return
        worker.stop_reason = "dropped"
        self._drop(namespace, kill=True)
        worker.wake.set()

    async def interrupt(self, namespace: str) -> None:
        """Stop the cell running in `namespace`; its worker is replaced if it does not stop.

        An interrupt that reaches the worker before the cell starts is kept and delivered when it
        starts (never lost, never fatal).
        """
        worker = self._workers.get(namespace)
        if worker is None or not worker.lock.locked():
            return
        worker.stop_reason = "interrupt"
        worker.interrupt_sent = True
        worker.signal(signal.SIGINT)
        worker.wake.set()
