"""One request to a worker, from sending it to its result: timeouts, interrupts, crashes.

Part of the client (tutor.runner.client.Runner). Every fault becomes an error reply with one
sentence; a request whose awaiting task is cancelled replaces its worker, so nothing stale (a
half-run cell, a late reply) is left for the next request.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import signal
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

from tutor.i18n import _
from tutor.runner import protocol, wire
from tutor.runner.reply_check import reply_problem
from tutor.runner.state import RunnerError, RunnerState
from tutor.runner.worker_link import Fault, Output, WorkerLink

if TYPE_CHECKING:
    from tutor.runner.zygote_link import ZygoteLink

#: Seconds a stopped cell gets to return after SIGINT before its worker is replaced.
INTERRUPT_GRACE_S = 1.0
#: Seconds to wait for the zygote's word on how a dead worker ended.
EXIT_STATUS_WAIT_S = 0.5
_ids = itertools.count()
#: In the name of a namespace that is a throwaway replay copy (see Runner.evaluate).
COPY_MARK = "\0copy"


def in_app_language(sentence: Any, english: Any) -> str:
    """A worker's or the zygote's `wire.Said` worded in the app's language (its English
    `message` when the sentence is not one: a cell can write anything on the socket)."""
    try:
        return wire.worded(sentence, _)
    except ValueError:
        return str(english or "")


def _replaced(kind: wire.ErrorKind, message: str) -> dict[str, Any]:
    return {"_replaced": True, "error": wire.error(kind, message)}


def evaluated(reply: dict[str, Any]) -> dict[str, Any]:
    """An eval reply as a wire.EvaluateResult."""
    error = reply.get("error")
    result: wire.EvaluateResult = {"ok": error is None, "value": reply.get("value"),
                                   "repr": str(reply.get("repr", "")), "error": error}
    return cast(dict[str, Any], result)


class RequestMixin:
    """The request machinery of `Runner` (which provides the attributes declared here)."""

    timeout: float
    output_limit: int
    state: RunnerState
    _busy: int
    _zygote: ZygoteLink | None
    _workers: dict[str, WorkerLink]
    _lost: set[str]
    _history: dict[str, list[tuple[str, str]]]
    _generation: dict[str, int]
    _ids: Iterator[int]

    if TYPE_CHECKING:
        def _set_state(self, state: RunnerState, reason: str | None = None) -> None: ...
        def _check_alive(self) -> None: ...
        async def _worker(self, namespace: str) -> WorkerLink: ...
        async def _spawn(self, namespace: str, seed: int | None = None) -> WorkerLink: ...
        def _drop(self, namespace: str, *, kill: bool, tree: bool = False) -> None: ...

    async def _request(
        self,
        namespace: str,
        message: dict[str, Any],
        timeout: float | None,
        on_output: Callable[[str], None] | None,
    ) -> tuple[dict[str, Any], str, bool]:
        """Send one request; return (reply, output, truncated); faults become error replies."""
        self._check_alive()
        lost = await self._reported_loss(namespace)
        if lost is not None:
            return lost, "", False
        try:
            worker = await self._worker(namespace)
        except RunnerError as exc:
            if self.state == RunnerState.DEAD:
                raise
            return _replaced("crash", str(exc)), "", False
        async with worker.lock:
            if not worker.alive:
                try:
                    worker = await self._worker(namespace)
                except RunnerError as exc:
                    return _replaced("crash", str(exc)), "", False
            self._busy += 1
            self._set_state(RunnerState.BUSY)
            output = Output(self.output_limit, on_output)
            request_id = f"{next(_ids)}-{secrets.token_hex(4)}"
            message = {**message, "id": request_id}
            if worker.interrupt_maybe_pending:
                message["discard_interrupt"] = True
                worker.interrupt_maybe_pending = False
            limit = self.timeout if timeout is None else timeout
            subject = {"exec": _("cell"), "eval": _("expression")}.get(message["op"],
                                                                      _("request"))
            try:
                await worker.send(request_id, message, output.write)
                reply = await self._await_reply(namespace, worker, limit, subject,
                                                 message["op"])
            except asyncio.CancelledError:
                self._drop(namespace, kill=True)  # the cell may still run: replace the worker
                raise
            finally:
                worker.finish()
                self._busy -= 1
            if worker.interrupt_sent and not reply.get("interrupted"):
                worker.interrupt_maybe_pending = True  # it may have arrived after the reply
            text, truncated = output.result()
            if reply.get("replace"):  # its whole tree from here: the zygote may be gone too
                self._drop(namespace, kill=True, tree=True)
                reply["_replaced"] = True
            if reply.get("_replaced"):
                # This reply tells of the reset, even if the zygote went before it was read.
                self._lost.discard(namespace)
            if reply.get("_replaced") and COPY_MARK not in namespace:
                await self._replace(namespace)  # a replay copy is dropped, not replaced
            elif self._busy == 0 and self.state == RunnerState.BUSY:
                self._set_state(RunnerState.READY)
            return reply, text, truncated

    async def _reported_loss(self, namespace: str) -> dict[str, Any] | None:
        """The crash reply owed to a namespace whose worker went with a lost zygote between
        requests (once; a fresh worker is started for the next one), or None."""
        if namespace not in self._lost:
            return None
        self._lost.discard(namespace)
        await self._replace(namespace)
        return _replaced("crash", _(
            "The runner process was lost during or after an earlier run here, so it was "
            "restarted and this namespace was reset; this did not run."))

    async def _await_reply(
        self, namespace: str, worker: WorkerLink, limit: float, subject: str, op: str
    ) -> dict[str, Any]:
        """The worker's reply; `subject` ("cell", "expression") names what ran in messages."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        kill_at: float | None = None
        while True:
            waker: asyncio.Future[Any] = asyncio.ensure_future(worker.wake.wait())
            until = deadline if kill_at is None else kill_at
            reply: asyncio.Future[Any] = worker.reply
            done, _pending = await asyncio.wait(
                {reply, waker}, timeout=max(0.0, until - loop.time()),
                return_when=asyncio.FIRST_COMPLETED,
            )
            waker.cancel()
            if worker.stop_reason == "dropped":  # by drop(): no reply, no replacement
                return {"error": wire.error(
                    "exception", _("The namespace was closed while this ran."))}
            if worker.reply in done:
                outcome = worker.reply.result()
                problem = None if isinstance(outcome, Fault) else reply_problem(outcome, op)
                if problem is not None:
                    outcome = Fault("protocol", problem)
                if isinstance(outcome, Fault):
                    return await self._crashed(namespace, worker, outcome)
                return self._after_stop(worker, outcome, limit, subject)
            if waker in done:
                worker.wake.clear()
                if kill_at is None:
                    kill_at = loop.time() + INTERRUPT_GRACE_S
                continue
            if kill_at is None:
                worker.stop_reason = "timeout"
                worker.interrupt_sent = True
                worker.signal(signal.SIGINT)
                kill_at = loop.time() + INTERRUPT_GRACE_S
                continue
            # The interrupt did not land (C code, a blocked signal): replace the worker.
            timed_out = worker.stop_reason == "timeout"
            what = (_("The {subject} ran longer than {limit} s and did not stop, so its "
                      "namespace was reset.") if timed_out
                    else _("The {subject} was interrupted and did not stop, so its namespace "
                           "was reset."))
            self._drop(namespace, kill=True)
            return _replaced("timeout" if timed_out else "exception",
                             what.format(subject=subject, limit=f"{limit:g}"))

    def _after_stop(
        self, worker: WorkerLink, reply: dict[str, Any], limit: float, subject: str
    ) -> dict[str, Any]:
        """Reword the error of a cell or expression stopped by a timeout or an interrupt."""
        error = reply.get("error")
        if isinstance(error, dict) and "said" in error:
            error["message"] = in_app_language(error.pop("said"), error.get("message"))
        if isinstance(error, dict) and error.pop("interrupted", False):
            reply["interrupted"] = True
            if worker.stop_reason is None:
                return reply
            where = str(error.get("message", "")).partition(":")[0]
            where = where.removeprefix("KeyboardInterrupt").strip()
            where = f" ({where})" if where else ""
            if worker.stop_reason == "timeout":
                error["kind"] = "timeout"
                error["message"] = _(
                    "The {subject} ran longer than {limit} s and was stopped{where}; the "
                    "namespace is kept.").format(subject=subject, limit=f"{limit:g}", where=where)
            else:
                error["message"] = _("The {subject} was interrupted{where}; the namespace is "
                                     "kept.").format(subject=subject, where=where)
        return reply

    async def _crashed(self, namespace: str, worker: WorkerLink, fault: Fault) -> dict[str, Any]:
        """The worker died or broke the protocol mid-request: say how in one sentence."""
        if fault.kind == "protocol":
            self._drop(namespace, kill=True)
            return _replaced("crash", _("The worker broke the protocol ({detail}), so it was "
                                        "replaced; the namespace was reset.").format(
                                            detail=fault.detail))
        if fault.kind == "closed":
            return _replaced("crash", _("The worker was ended when the runner process was lost; "
                                        "the namespace was reset."))
        try:
            status: int | None = await asyncio.wait_for(
                asyncio.shield(worker.exit_status), EXIT_STATUS_WAIT_S)
        except asyncio.TimeoutError:
            status = None
        self._drop(namespace, kill=True)
        if worker.ended_because:
            how = _("was ended because {reason}").format(reason=worker.ended_because)
        elif status is None:
            how = _("stopped unexpectedly")
        else:
            how = protocol.describe_status(status)
        return _replaced("crash", _("The worker {how}; the namespace was reset.").format(how=how))


    async def _replace(self, namespace: str) -> None:
        """Start a fresh worker for a namespace whose worker was lost."""
        self._set_state(RunnerState.RESTARTING)
        try:
            await self._spawn(namespace)
        except RunnerError:
            pass  # the next request tries again (or reports the runner dead)
        finally:
            if self._busy == 0 and self.state == RunnerState.RESTARTING:
                self._set_state(RunnerState.READY)

    async def _evaluate_in_replay(self, namespace: str, expression: str,
                                  timeout: float | None) -> dict[str, Any]:
        """A fresh worker with the same seed re-runs the namespace's cells, then evaluates."""
        lost = await self._reported_loss(namespace)
        if lost is not None:
            return evaluated(lost)
        source = await self._worker(namespace)
        cells = list(self._history.get(namespace, []))
        copy = f"{namespace}{COPY_MARK}{next(self._ids)}"
        try:
            await self._spawn(copy, seed=source.seed)
            for code, filename in cells:
                await self._request(copy, {"op": "exec", "code": code, "filename": filename},
                                    timeout, None)
            reply, _output, _kept = await self._request(
                copy, {"op": "eval", "expression": expression}, timeout, None)
        finally:
            self._drop(copy, kill=True)
            self._history.pop(copy, None)
            self._generation.pop(copy, None)
        return evaluated(reply)
