"""The zygote: imports torch once, single-threaded, then only forks workers on request.

Started by the client as `python -m tutor.runner.zygote --control FD ...`. It talks to the client
on the control socket (framed JSON, worker fds passed with SCM_RIGHTS), reports each worker's exit
status, and when the control socket closes (client closed or died) kills its workers and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
from typing import Any

import torch
import torch.nn
import torch.nn.functional
import torch.optim

from tutor.runner import protocol, worker

#: Imported once the runner is ready, before the first fork. torch imports torch._dynamo on the
#: first optimizer or meta-device init (lessons 1 and 6): ~1 s and ~100 MiB in each worker, again
#: after every reset; preloaded, it is shared. Figures in BENCHMARKS.md, "Runner".
PRELOAD_AFTER_READY = ("torch._dynamo",)


def probe_device(requested: str) -> dict[str, Any]:
    """Resolve `auto|cpu|cuda|cuda:N|mps` to a device; raises ValueError with a clear reason.

    Runs in a forked child so that CUDA is never initialised in the zygote.
    """
    info: dict[str, Any] = {"torch": torch.__version__}
    want = requested.strip().lower()
    mps = getattr(torch.backends, "mps", None)
    mps_ok = bool(mps is not None and mps.is_available())
    if want == "auto":
        want = "cuda" if torch.cuda.is_available() else "mps" if mps_ok else "cpu"
    if want == "cpu":
        return {**info, "device": "cpu", "name": "cpu", "memory_total_mib": None}
    if want == "mps":
        if not mps_ok:
            raise ValueError("device 'mps' was requested but Apple MPS is not available here")
        return {**info, "device": "mps", "name": "Apple MPS", "memory_total_mib": None}
    if want == "cuda" or want.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise ValueError(f"device '{requested}' was requested but CUDA is not available here")
        index_text = want.partition(":")[2] or "0"
        if not index_text.isdigit():
            raise ValueError(f"device '{requested}' is not a valid CUDA device name")
        index = int(index_text)
        count = torch.cuda.device_count()
        if index >= count:
            raise ValueError(
                f"device '{requested}' was requested but only {count} CUDA device(s) exist")
        props = torch.cuda.get_device_properties(index)
        return {
            **info,
            "device": f"cuda:{index}",
            "name": props.name,
            "memory_total_mib": props.total_memory // (1024 * 1024),
        }
    raise ValueError(f"unknown device '{requested}': use auto, cpu, cuda, cuda:N or mps")


def probe_in_child(requested: str) -> dict[str, Any]:
    """`probe_device` in a forked (or, without fork, spawned) child; the zygote stays CUDA-free."""
    if not hasattr(os, "fork"):
        return probe_device(requested)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            try:
                reply: dict[str, Any] = {"info": probe_device(requested)}
            except Exception as exc:  # report any probe failure as the reason
                reply = {"error": str(exc)}
            os.write(write_end, protocol.encode(reply))
        finally:
            os._exit(0)
    os.close(write_end)
    with open(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    messages = protocol.FrameBuffer().feed(data)
    if not messages:
        raise ValueError("the device probe crashed")
    if "error" in messages[0]:
        raise ValueError(messages[0]["error"])
    info: dict[str, Any] = messages[0]["info"]
    return info


def preload() -> None:
    """Import PRELOAD_AFTER_READY, then freeze the new objects as main() froze torch's."""
    for name in PRELOAD_AFTER_READY:
        with contextlib.suppress(Exception):  # only a speed-up: a worker imports it when used
            importlib.import_module(name)
    gc.collect()
    gc.freeze()


class Zygote:
    """Forks workers on request and reports their exits to the client."""

    def __init__(self, control: socket.socket, device: str, memory_limit_mib: int | None,
                 use_fork: bool) -> None:
        self.control = control
        self.device = device
        self.memory_limit_mib = memory_limit_mib
        self.use_fork = use_fork
        self.children: set[int] = set()
        self.spawned: dict[int, subprocess.Popen[bytes]] = {}
        #: Runs `preload` while the zygote waits for its first command; joined before any fork,
        #: so forks still happen single-threaded, while a close during it exits at once.
        self.preloading: threading.Thread | None = None

    def spawn(self, token: str) -> None:
        """Start one worker; hand its socket and output pipe to the client."""
        if self.preloading is not None:
            self.preloading.join()
            self.preloading = None
        client_end, worker_end = socket.socketpair()
        out_read, out_write = os.pipe()
        if self.use_fork:
            pid = os.fork()
            if pid == 0:
                client_end.close()
                os.close(out_read)
                self.control.close()
                worker.run_worker(worker_end, out_write, self.device, self.memory_limit_mib)
        else:
            pid = self.spawn_process(worker_end, out_write)
        self.children.add(pid)
        worker_end.close()
        os.close(out_write)
        protocol.send(self.control, {"event": "spawned", "token": token, "pid": pid},
                      fds=[client_end.fileno(), out_read])
        client_end.close()
        os.close(out_read)

    def spawn_process(self, worker_end: socket.socket, out_write: int) -> int:
        """Without fork: a fresh interpreter running the worker (slower, same behaviour)."""
        args = [sys.executable, "-m", "tutor.runner.zygote", "--worker",
                "--socket", str(worker_end.fileno()), "--output", str(out_write),
                "--device", self.device]
        if self.memory_limit_mib:
            args += ["--memory-limit-mib", str(self.memory_limit_mib)]
        process = subprocess.Popen(args, pass_fds=[worker_end.fileno(), out_write],
                                   stdin=subprocess.DEVNULL)
        self.spawned[process.pid] = process
        return process.pid

    def reap(self) -> None:
        """Collect exited workers and tell the client how each ended."""
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.children.discard(pid)
            self.spawned.pop(pid, None)
            protocol.send(self.control, {"event": "exit", "pid": pid, "status": status})

    def shutdown(self) -> None:
        """Kill every worker (the client is gone or asked us to stop)."""
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os._exit(0)

    def serve(self) -> None:
        """Wait for commands and child exits until the control socket closes."""
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        selector = selectors.DefaultSelector()
        selector.register(self.control, selectors.EVENT_READ)
        selector.register(wake_read, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select():
                if key.fileobj == wake_read:
                    os.read(wake_read, 4096)
                    self.reap()
                    continue
                try:
                    command = protocol.recv(self.control)
                except OSError:
                    command = None
                if command is None or command.get("cmd") == "exit":
                    self.shutdown()
                elif command.get("cmd") == "spawn":
                    self.spawn(command["token"])
            self.reap()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the zygote (and, with --worker, of a spawned worker)."""
    parser = argparse.ArgumentParser(prog="tutor.runner.zygote")
    parser.add_argument("--control", type=int)
    parser.add_argument("--parent", type=int, default=0)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--memory-limit-mib", type=int, default=0)
    parser.add_argument("--spawn", action="store_true", help="start workers without fork")
    parser.add_argument("--no-preload", action="store_true", help="skip PRELOAD_AFTER_READY")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--socket", type=int)
    parser.add_argument("--output", type=int)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.worker:
        sock = socket.socket(fileno=args.socket)
        worker.run_worker(sock, args.output, args.device, args.memory_limit_mib or None)
    control = socket.socket(fileno=args.control)
    if args.parent:
        worker.die_with_parent()
        if os.getppid() != args.parent:
            os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        info = probe_in_child(args.device)
    except ValueError as exc:
        protocol.send(control, {"event": "error", "message": str(exc)})
        os._exit(1)
    use_fork = hasattr(os, "fork") and not args.spawn
    # Keep the collector off the zygote's objects: workers then share those pages instead of
    # copying every page a full collection writes to (measured: 8 vs 44 MiB private per worker).
    gc.collect()
    gc.freeze()
    protocol.send(control, {"event": "ready", "info": info, "fork": use_fork})
    zygote = Zygote(control, info["device"], args.memory_limit_mib or None, use_fork)
    if use_fork and not args.no_preload:
        zygote.preloading = threading.Thread(target=preload, name="preload", daemon=True)
        zygote.preloading.start()
    zygote.serve()


if __name__ == "__main__":
    main()
