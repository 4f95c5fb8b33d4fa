"""A worker: one namespace, forked from the zygote, serving exec/eval/graph requests on a socket.

Cell output goes to fds 1 and 2, a pipe the client reads directly; results go on the socket, each
reply echoing its request's `id`. A process forked by a cell never answers: the fork hook closes
its copy of the socket, and it exits instead of returning into the loop. SIGINT between requests
is noted and delivered when the next cell starts (unless the request says to discard it).
Setting the process up is tutor.runner.worker_process.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import ctypes
import linecache
import os
import signal
import socket
import sys
from time import perf_counter
from traceback import extract_tb, format_exception_only, format_list
from typing import Any

import torch

from tutor.i18n import N_
from tutor.runner import plots, protocol, reaping, sandbox, snapshot, values, wire
from tutor.runner.worker_support import (
    MESSAGE_LIMIT,
    assigned_names,
    fate_error,
    is_out_of_memory,
    one_line,
    safe_text,
    text_stream,
)
from tutor.text import shorten

#: A high fd that keeps the output pipe, to restore fds 1 and 2 after a cell closes them.
OUTPUT_BACKUP_FD = 250
#: Interval timers cancelled after every request, so an alarm is never blamed on a later cell.
TIMERS = tuple(getattr(signal, n) for n in ("ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF")
               if hasattr(signal, n))


def _flush_c_stdio() -> None:
    """Flush C-level stdio buffers so printf output from extensions reaches the pipe now."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).fflush(None)


def _identity(fd: int) -> tuple[int, int] | None:
    try:
        info = os.fstat(fd)
    except OSError:
        return None
    return info.st_dev, info.st_ino


class Worker:
    """The state of one namespace and the request handlers that act on it."""

    def __init__(self, sock: socket.socket, device: str) -> None:
        self.sock = sock
        self.device = device
        self.pid = os.getpid()
        self.zygote = os.getppid()
        #: The request being answered, whether its reply is being written, and whether the
        #: zygote went meanwhile (tutor.runner.worker_process: the orphan signal's handler).
        self.request_id: Any = None
        self.replying = False
        self.orphaned = False
        self.namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.cell_files: set[str] = set()
        self.interrupted = False
        self.output_lost = False
        #: fds that no process forked from here may keep (the socket, a copy's result pipe).
        self.private_fds: list[int] = []
        self.output_id = _identity(OUTPUT_BACKUP_FD)
        self.streams = {1: text_stream(1), 2: text_stream(2)}
        sys.stdout, sys.stderr = self.streams[1], self.streams[2]
        signal.signal(signal.SIGINT, self.note_interrupt)
        os.register_at_fork(after_in_child=self.forked)

    def forked(self) -> None:
        """In any child forked from here: give up the channels that belong to the worker."""
        with contextlib.suppress(OSError):
            self.sock.close()
        for fd in self.private_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.private_fds = []

    def note_interrupt(self, signum: int, frame: object) -> None:
        """SIGINT between requests: keep it for the next cell."""
        self.interrupted = True

    def restore_output(self) -> None:
        """Undo anything a cell did to fds 1/2 or sys.stdout/sys.stderr.

        The pipe is found by identity, in whichever fd still holds it, so `os.dup2` onto the
        backup fd cannot silence the namespace; if no fd holds it, the worker must be replaced.
        """
        _flush_c_stdio()
        if _identity(OUTPUT_BACKUP_FD) != self.output_id:
            holder = next((fd for fd in (1, 2, *sorted(reaping.open_fds()))
                           if _identity(fd) == self.output_id), None)
            if holder is None:
                self.output_lost = True
                return
            os.dup2(holder, OUTPUT_BACKUP_FD)
        for fd in (1, 2):
            if _identity(fd) != self.output_id:
                os.dup2(OUTPUT_BACKUP_FD, fd)
        for name, fd in (("stdout", 1), ("stderr", 2)):
            stream = getattr(sys, name)
            if stream is None or getattr(stream, "closed", True) or stream is not self.streams[fd]:
                self.streams[fd] = text_stream(fd)
                setattr(sys, name, self.streams[fd])
        for stream in self.streams.values():
            with contextlib.suppress(OSError, ValueError):
                stream.flush()

    def run_guarded(self, func: Any, *args: Any) -> tuple[Any, wire.Error | None]:
        """Call `func(*args)` with SIGINT raising; return (value, error or None).

        A process forked inside `func` (a cell's `os.fork()`) exits here instead of returning.
        """
        caught: BaseException | None = None
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            if self.interrupted:
                self.interrupted = False
                raise KeyboardInterrupt("interrupted before the cell started")
            return func(*args), None
        except BaseException as exc:  # cells may raise anything, SystemExit included
            if os.getpid() != self.pid:
                os._exit(0)
            caught = exc
        finally:
            if os.getpid() != self.pid:
                os._exit(0)
            signal.signal(signal.SIGINT, self.note_interrupt)
            self.end_timers()
            self.restore_output()
        # Described with SIGINT only noted: describing runs the cell's own __str__ and __repr__.
        return None, self.describe(caught) if caught is not None else None

    def end_timers(self) -> None:
        """Cancel alarms and interval timers a cell left behind."""
        signal.alarm(0)
        for timer in TIMERS:
            with contextlib.suppress(OSError):
                signal.setitimer(timer, 0)

    def _exec(self, code: str, filename: str) -> list[str]:
        """Run `code`, echoing a final expression's value like a notebook; return assigned names."""
        self.cell_files.add(filename)
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        tree = ast.parse(code, filename, "exec")
        assigned = assigned_names(tree)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)  # type: ignore[attr-defined]
        exec(compile(tree, filename, "exec"), self.namespace)
        if last is not None:
            value = eval(compile(last, filename, "eval"), self.namespace)
            if value is not None:
                print(values.bounded_repr(value))
        return assigned

    def describe(self, exc: BaseException) -> wire.Error:
        """The error of `exc`: kind, one-sentence message, traceback of cell frames only."""
        frames = [
            f for f in extract_tb(exc.__traceback__) if f.filename in self.cell_files
        ]
        line = frames[-1].lineno if frames else None
        if isinstance(exc, SyntaxError) and exc.filename in self.cell_files:
            line = exc.lineno
        name = safe_text(lambda: type(exc).__name__, "exception")
        text = safe_text(lambda: str(exc), f"<{name}.__str__ failed>").strip()
        text = text.splitlines()[0] if text else ""
        # Python's own words about the exception stay as they are; the tutor's are translated.
        detail: str | wire.Said = text[:MESSAGE_LIMIT]
        kind: wire.ErrorKind = "exception"
        if isinstance(exc, SystemExit):
            detail = wire.said(N_("sys.exit({code}) was called; the namespace is kept"),
                               code=safe_text(lambda: repr(exc.code), "?")[:MESSAGE_LIMIT])
        elif isinstance(exc, KeyboardInterrupt):
            detail = detail or wire.said(N_("the cell was interrupted"))
        elif is_out_of_memory(exc, text):
            kind = "out_of_memory"
            if self.device.startswith("cuda"):
                torch.cuda.empty_cache()
            detail = detail or wire.said(N_("the worker's memory limit was reached"))
        if line:
            # TRANSLATORS: an exception's name (ZeroDivisionError), where it happened, and
            # Python's words for it or a sentence of the tutor's.
            sentence = (wire.said(N_("{name} at line {line}: {detail}"), name=name, line=line,
                                  detail=detail) if detail
                        else wire.said(N_("{name} at line {line}"), name=name, line=line))
        else:
            # Nothing to translate but the detail.
            sentence = (wire.said("{name}: {detail}", name=name, detail=detail) if detail
                        else wire.said("{name}", name=name))
        text = "".join(format_list(frames)) if frames else ""
        if text:
            text = "Traceback (most recent call last):\n" + text
        text += "".join(format_exception_only(type(exc), exc))
        error = wire.error_said(kind, sentence, text[-20_000:])
        error["message"] = shorten(error["message"], MESSAGE_LIMIT)
        if isinstance(exc, KeyboardInterrupt):
            error["interrupted"] = True  # type: ignore[typeddict-unknown-key]
        return error

    def handle_exec(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run a cell; report output-free result data: error, snapshot, plots, duration."""
        started = perf_counter()
        filename = str(request.get("filename", "<cell>"))
        plots.figures.clear()
        assigned, error = self.run_guarded(self._exec, str(request["code"]), filename)
        figures = plots.take_figures()
        try:
            root = snapshot.pick_root(self.namespace, assigned or [])
            shot: wire.Snapshot = {
                "tensors": snapshot.tensor_entries(self.namespace),
                "graph": None if root is None else snapshot.build_graph(self.namespace, root),
            }
        except Exception as exc:  # a cell's object that breaks inspection must not end us
            shot = wire.empty_snapshot()
            if error is None:
                error = wire.error_said("exception", wire.said(
                    N_("The cell ran, but its tensors could not be listed: {error}"),
                    error=one_line(f"{type(exc).__name__}: {exc}")))
        return {"ok": error is None, "error": error, "snapshot": shot, "plots": figures,
                "duration_s": perf_counter() - started}

    def _eval(self, expression: str) -> Any:
        filename = "<expression>"
        self.cell_files.add(filename)
        linecache.cache[filename] = (len(expression), None, [expression], filename)
        return eval(compile(expression.strip(), filename, "eval"), self.namespace)

    def evaluate(self, expression: str) -> dict[str, Any]:
        """Evaluate in this namespace and encode the value."""
        value, error = self.run_guarded(self._eval, expression)
        if error is not None:
            return {"ok": False, "value": None, "repr": "", "error": error}
        try:
            plain = values.encode(value)
        except Exception as exc:  # e.g. a tensor whose values cannot be read
            return {"ok": False, "value": None, "repr": "", "error": self.describe(exc)}
        return {"ok": True, "value": plain, "repr": values.bounded_repr(value), "error": None}

    def handle_eval(self, request: dict[str, Any]) -> dict[str, Any]:
        """Evaluate here, or in a forked throwaway copy when `fresh_copy` is set."""
        if not request.get("fresh_copy"):
            return self.evaluate(str(request["expression"]))
        if torch.cuda.is_initialized():  # a cell used CUDA on a CPU worker: a fork cannot
            return {"ok": False, "replay": True, "error": wire.error(
                "protocol", "CUDA is initialised in this worker: a fork of it cannot use it")}
        return self.evaluate_in_copy(str(request["expression"]))

    def evaluate_in_copy(self, expression: str) -> dict[str, Any]:
        """Evaluate in a forked child that sends the result back on a pipe; namespace untouched.

        The child holds none of the worker's channels (the fork hook closes the socket), has its
        own process group, and its whole tree is ended afterwards. Only for CPU workers: a
        process that initialised CUDA cannot fork (the client replays instead).
        """
        try:
            read_end, write_end = os.pipe()
        except OSError as exc:  # a cell lowered RLIMIT_NOFILE, or used every fd: start afresh
            return {"ok": False, "value": None, "repr": "", "replace": True, "error":
                    wire.error_said("crash", wire.said(N_(
                        "This worker could not make a copy to evaluate in ({error}), so it "
                        "was replaced; the namespace was reset."), error=one_line(str(exc))))}
        self.private_fds = [read_end]
        pid = os.fork()
        if pid == 0:
            self.private_fds = [write_end]
            self.pid = os.getpid()  # this copy answers on the pipe, not the socket
            with contextlib.suppress(OSError):
                os.setpgid(0, 0)
            sandbox.own_domain()  # the answer cannot write the reference's memory (/proc)
            try:
                data = protocol.encode(self.evaluate(expression))
            except Exception as exc:  # too large, or not encodable
                data = protocol.encode({"ok": False, "value": None, "repr": "", "error":
                                        wire.error("exception", one_line(str(exc)))})
            with contextlib.suppress(OSError):
                os.write(write_end, data)
            os._exit(0)
        self.private_fds = []
        os.close(write_end)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            with open(read_end, "rb") as pipe:
                header = pipe.read(protocol.HEADER.size)
                body = pipe.read(protocol._size(header)) if len(header) == protocol.HEADER.size \
                    else b""
        except KeyboardInterrupt as exc:
            reaping.end_tree(pid)
            os.waitpid(pid, 0)
            return {"ok": False, "value": None, "repr": "", "error": self.describe(exc)}
        except protocol.ProtocolError as exc:
            body, header = b"", b""
            problem: str | None = str(exc)
        else:
            problem = None
        finally:
            signal.signal(signal.SIGINT, self.note_interrupt)
        reaping.end_tree(pid)
        _, status = os.waitpid(pid, 0)
        if body:
            try:
                return protocol.decode(body)
            except protocol.ProtocolError as exc:
                problem = str(exc)
        how = problem or protocol.describe_status(status)
        return {"ok": False, "value": None, "repr": "", "error": wire.error_said(
            "crash", wire.said(N_("The copy evaluating the expression {how}."),
                               how=one_line(how)))}

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """The reply to one request (never raises)."""
        handlers = {"exec": self.handle_exec, "eval": self.handle_eval}
        op = request.get("op")
        if request.get("discard_interrupt"):
            self.interrupted = False
        try:
            if op == "ping":
                return {"pong": True}
            handler = handlers.get(str(op))
            if handler is None:
                return {"ok": False, "error": wire.error_said("protocol", wire.said(
                    N_("The worker does not understand the request {op}."),
                    op=one_line(repr(op))))}
            return handler(request)
        except Exception as exc:  # a fault in the runner itself, not in the cell
            return {"ok": False, "error": wire.error_said("exception", wire.said(
                N_("The runner failed while handling the request: {error}"),
                error=one_line(f"{type(exc).__name__}: {exc}")))}

    def serve(self) -> None:
        """Answer requests until the client hangs up."""
        while True:
            try:
                request = protocol.recv(self.sock)
            except protocol.ProtocolError:
                os._exit(71)  # the stream is out of step: nothing after this can be trusted
            if request is None:
                reaping.end_tree(self.pid, include_root=False)
                os._exit(0)
            self.request_id = request.get("id")
            reply = self.answer(request)
            if os.getpid() != self.pid:
                os._exit(0)
            zygote = reaping.fate(self.zygote) if os.getppid() == self.zygote else "killed"
            if self.output_lost or zygote:
                reply.update(replace=True, ok=False,
                             error=fate_error("output" if self.output_lost else str(zygote)))
            reply["id"] = request.get("id")
            try:
                data = protocol.encode(reply)
            except (protocol.ProtocolError, TypeError, ValueError) as exc:
                data = protocol.encode({"id": request.get("id"), "ok": False,
                                        "error": wire.error_said("exception", wire.said(
                                            N_("The result could not be sent: {error}"),
                                            error=one_line(str(exc))))})
            self.replying = True  # a lost zygote's signal now waits for the reply (below)
            try:
                self.sock.sendall(data)
            except OSError:  # a cell closed or replaced the socket: nothing can be answered
                os._exit(wire.EXIT_CHANNEL_LOST)
            self.replying, self.request_id = False, None
            if self.orphaned:
                reaping.end_tree(self.pid, include_root=False)
                os._exit(0)
