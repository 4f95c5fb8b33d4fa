"""A worker: one namespace, forked from the zygote, serving exec/eval/graph requests on a socket.

Cell output goes to fds 1 and 2, a pipe the client reads directly; results go on the socket.
SIGINT is ignored between requests and raises KeyboardInterrupt only while a cell runs.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import ctypes
import io
import linecache
import os
import random
import resource
import signal
import socket
import sys
import time
import traceback
from typing import Any

import torch

from tutor.runner import plots, protocol, snapshot, values

#: Longest one-sentence error message, in characters.
MESSAGE_LIMIT = 300
#: A high fd that keeps the output pipe, to restore fds 1 and 2 after a cell closes them.
OUTPUT_BACKUP_FD = 250
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits (no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _no_input(prompt: object = "") -> str:
    raise RuntimeError("input() is not available here: cells cannot read from the keyboard")


def _flush_c_stdio() -> None:
    """Flush C-level stdio buffers so printf output from extensions reaches the pipe now."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).fflush(None)


class Worker:
    """The state of one namespace and the request handlers that act on it."""

    def __init__(self, sock: socket.socket, device: str) -> None:
        self.sock = sock
        self.device = device
        self.namespace: dict[str, Any] = {}
        self.cell_files: set[str] = set()
        self.reset_namespace()

    def reset_namespace(self) -> None:
        """An empty namespace, like a fresh `__main__`."""
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}

    def restore_output(self) -> None:
        """Undo anything a cell did to fds 1/2 or sys.stdout/sys.stderr."""
        _flush_c_stdio()
        backup = os.fstat(OUTPUT_BACKUP_FD)
        for fd in (1, 2):
            try:
                same = os.fstat(fd).st_ino == backup.st_ino
            except OSError:
                same = False
            if not same:
                os.dup2(OUTPUT_BACKUP_FD, fd)
        for name, fd in (("stdout", 1), ("stderr", 2)):
            stream = getattr(sys, name)
            if stream is None or getattr(stream, "closed", True) or stream is not self.streams[fd]:
                self.streams[fd] = _text_stream(fd)
                setattr(sys, name, self.streams[fd])
        for stream in self.streams.values():
            with contextlib.suppress(OSError, ValueError):
                stream.flush()

    def install_output(self) -> None:
        """Text streams over fds 1 and 2 that write through, so output streams as it happens."""
        self.streams = {1: _text_stream(1), 2: _text_stream(2)}
        sys.stdout, sys.stderr = self.streams[1], self.streams[2]

    def run_guarded(self, func: Any, *args: Any) -> tuple[Any, dict[str, Any] | None]:
        """Call `func(*args)` with SIGINT enabled; return (value, error or None)."""
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            return func(*args), None
        except BaseException as exc:  # cells may raise anything, SystemExit included
            return None, self.describe(exc)
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            self.restore_output()

    def _exec(self, code: str, filename: str) -> list[str]:
        """Run `code`, echoing a final expression's value like a notebook; return assigned names."""
        self.cell_files.add(filename)
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        tree = ast.parse(code, filename, "exec")
        assigned = _assigned_names(tree)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)  # type: ignore[attr-defined]
        exec(compile(tree, filename, "exec"), self.namespace)
        if last is not None:
            value = eval(compile(last, filename, "eval"), self.namespace)
            if value is not None:
                print(values.bounded_repr(value))
        return assigned

    def describe(self, exc: BaseException) -> dict[str, Any]:
        """The error dict of `exc`: kind, one-sentence message, traceback of cell frames only."""
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__) if f.filename in self.cell_files
        ]
        line = frames[-1].lineno if frames else None
        if isinstance(exc, SyntaxError) and exc.filename in self.cell_files:
            line = exc.lineno
        name = type(exc).__name__
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        kind = "exception"
        if isinstance(exc, SystemExit):
            detail = f"sys.exit({exc.code!r}) was called; the namespace is kept"
        elif isinstance(exc, KeyboardInterrupt):
            detail = detail or "the cell was interrupted"
        elif _is_out_of_memory(exc):
            kind = "out_of_memory"
            if self.device.startswith("cuda"):
                torch.cuda.empty_cache()
            detail = detail or "the worker's memory limit was reached"
        where = f" at line {line}" if line else ""
        message = f"{name}{where}: {detail}" if detail else f"{name}{where}"
        if len(message) > MESSAGE_LIMIT:
            message = message[: MESSAGE_LIMIT - 1] + "…"
        text = "".join(traceback.format_list(frames)) if frames else ""
        if text:
            text = "Traceback (most recent call last):\n" + text
        text += "".join(traceback.format_exception_only(type(exc), exc))
        return {
            "kind": kind,
            "message": message,
            "traceback": text,
            "interrupted": isinstance(exc, KeyboardInterrupt),
        }

    def handle_exec(self, request: dict[str, Any]) -> dict[str, Any]:
        """Run a cell; report output-free result data: error, snapshot, duration."""
        started = time.perf_counter()
        filename = request.get("filename", "<cell>")
        plots.figures.clear()
        assigned, error = self.run_guarded(self._exec, request["code"], filename)
        figures = plots.take_figures()
        graph_root = snapshot.pick_root(self.namespace, assigned or [])
        return {
            "ok": error is None,
            "error": error,
            "snapshot": {
                "tensors": snapshot.tensor_entries(self.namespace),
                "graph": None
                if graph_root is None
                else snapshot.build_graph(self.namespace, graph_root),
            },
            "plots": figures,
            "duration_s": time.perf_counter() - started,
        }

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
            return self.evaluate(request["expression"])
        return self.evaluate_in_copy(request["expression"])

    def evaluate_in_copy(self, expression: str) -> dict[str, Any]:
        """Evaluate in a forked child that sends the result back on a pipe; namespace untouched."""
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            die_with_parent()
            try:
                data = protocol.encode(self.evaluate(expression))
                with open(write_end, "wb") as pipe:
                    pipe.write(data)
            finally:
                os._exit(0)
        os.close(write_end)
        chunks = []
        signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            with open(read_end, "rb") as pipe:
                while chunk := pipe.read(65536):
                    chunks.append(chunk)
            _, status = os.waitpid(pid, 0)
        except KeyboardInterrupt as exc:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"ok": False, "value": None, "repr": "", "error": self.describe(exc)}
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        messages = protocol.FrameBuffer().feed(b"".join(chunks))
        if messages:
            return messages[0]
        return {
            "ok": False,
            "value": None,
            "repr": "",
            "error": {
                "kind": "crash",
                "message": "The copy evaluating the expression "
                f"{protocol.describe_status(status)}.",
                "traceback": "",
            },
        }

    def handle_graph(self, request: dict[str, Any]) -> dict[str, Any]:
        """The autograd tree of one named tensor."""
        graph = snapshot.build_graph(
            self.namespace,
            request["name"],
            max_depth=request.get("max_depth", 8),
            max_nodes=request.get("max_nodes", 40),
        )
        return {"graph": graph}

    def serve(self) -> None:
        """Answer requests until the client hangs up."""
        handlers = {"exec": self.handle_exec, "eval": self.handle_eval, "graph": self.handle_graph}
        while True:
            request = protocol.recv(self.sock)
            if request is None:
                os._exit(0)
            op = request.get("op")
            if op == "ping":
                reply: dict[str, Any] = {"pong": True}
            else:
                reply = handlers[str(op)](request)
            protocol.send(self.sock, reply)


def _text_stream(fd: int) -> io.TextIOWrapper:
    """An unbuffered, write-through text stream over `fd`."""
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", write_through=True)


def _assigned_names(tree: ast.Module) -> list[str]:
    """Top-level names assigned by a cell, in source order (for choosing the graph root)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append((node.lineno, node.col_offset, node.id))
    return [name for _, _, name in sorted(names)]


def _is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, MemoryError):
        return True
    cuda_oom = getattr(torch.cuda, "OutOfMemoryError", None)
    if cuda_oom is not None and isinstance(exc, cuda_oom):
        return True
    text = str(exc)
    return isinstance(exc, RuntimeError) and (
        "can't allocate memory" in text or "out of memory" in text.lower()
    )


def _limit_memory(limit_mib: int) -> None:
    """Cap the address space at its current size plus `limit_mib`, so allocations fail cleanly."""
    with open("/proc/self/status") as status:
        vm_kib = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = vm_kib * 1024 + limit_mib * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _reseed(device: str) -> None:
    """Each worker gets its own random streams (forked children would otherwise share them).

    Only state inherited from the zygote needs it; the rest seeds itself when first used. So a
    CPU worker seeds torch's CPU generator alone (`torch.manual_seed` also queues lazy seeds for
    other devices, and reads source files for their tracebacks: 1.5 MiB per worker), and NumPy's
    only if `numpy.random` is loaded (importing it here would cost 5 MiB per worker).
    """
    seed = int.from_bytes(os.urandom(8), "little")
    random.seed(seed)
    if device == "cpu":
        torch.default_generator.manual_seed(seed & 0xFFFF_FFFF_FFFF)
    else:
        torch.manual_seed(seed & 0xFFFF_FFFF_FFFF)
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed(seed & 0xFFFF_FFFF)


def run_worker(sock: socket.socket, out_fd: int, device: str, memory_limit_mib: int | None) -> None:
    """Become a worker: set up fds, limits, device and RNGs, then serve; never returns."""
    try:
        die_with_parent()
        os.dup2(out_fd, OUTPUT_BACKUP_FD)
        keep = {0, 1, 2, OUTPUT_BACKUP_FD, sock.fileno()}
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        for fd in _open_fds():
            if fd not in keep:
                with contextlib.suppress(OSError):
                    os.close(fd)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 (lives as long as the worker)
        builtins.input = _no_input
        builtins.plot = plots.plot  # type: ignore[attr-defined]
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        _reseed(device)
        if device != "cpu":
            torch.set_default_device(device)
        elif memory_limit_mib:
            with contextlib.suppress(OSError, StopIteration, ValueError):  # no /proc: no limit
                _limit_memory(memory_limit_mib)
        worker = Worker(sock, device)
        worker.install_output()
        protocol.send(sock, {"hello": os.getpid()})
        worker.serve()
    finally:
        os._exit(70)


def _open_fds() -> list[int]:
    """The fds open in this process."""
    for path in ("/proc/self/fd", "/dev/fd"):
        try:
            return [int(name) for name in os.listdir(path)]
        except OSError:
            continue
    return list(range(3, 256))
