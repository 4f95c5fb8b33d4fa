"""Turning a forked (or spawned) process into a worker: fds, signals, limits, device, RNGs.

The serving itself is tutor.runner.worker; this module is what happens once, before it.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import random
import resource
import signal
import socket
import sys
from typing import Any

import torch

from tutor.runner import plots, protocol, reaping, sandbox
from tutor.runner.worker import OUTPUT_BACKUP_FD, Worker
from tutor.runner.worker_support import lost_reply

#: Sent to a worker when its zygote dies: it ends its own process tree, then exits.
ORPHAN_SIGNAL = signal.SIGRTMIN + 1 if hasattr(signal, "SIGRTMIN") else signal.SIGTERM
#: Signals the zygote ignores, so that a cell signalling its parent cannot end the session:
#: every signal whose default ends a process, real-time ones too (SIGKILL and SIGSTOP cannot be
#: ignored: the client restarts a zygote they end or stop). A fault the zygote itself causes still
#: ends it (the kernel does not let a synchronous SIGSEGV be ignored). Workers put them back to
#: their defaults. Not here: SIGINT (ignored apart), SIGCHLD (the zygote's), SIGPIPE (Python
#: ignores it), those that end nothing, and ORPHAN_SIGNAL (a worker's own handler).
_NOT_SHIELDED = {getattr(signal, name) for name in (
    "SIGKILL", "SIGSTOP", "SIGINT", "SIGCHLD", "SIGPIPE", "SIGCONT", "SIGWINCH", "SIGURG")
    if hasattr(signal, name)} | {ORPHAN_SIGNAL}
SHIELDED_SIGNALS = tuple(sorted(
    signum for signum in (signal.valid_signals() if hasattr(signal, "valid_signals") else ())
    if signum not in _NOT_SHIELDED and signum < getattr(signal, "NSIG", 65)))


def set_signals(signals: tuple[int, ...], handler: Any) -> None:
    """Give each of `signals` `handler`, skipping any this system does not let be set."""
    for signum in signals:
        with contextlib.suppress(OSError, ValueError, RuntimeError):
            signal.signal(signum, handler)


def _no_input(prompt: object = "") -> str:
    raise RuntimeError("input() is not available here: cells cannot read from the keyboard")


def limit_memory(limit_mib: int) -> None:
    """Cap the address space at its current size plus `limit_mib`, so allocations fail cleanly."""
    with open("/proc/self/status") as status:
        vm_kib = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = vm_kib * 1024 + limit_mib * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def reseed(device: str, seed: int) -> None:
    """Seed the random streams a worker inherits (forked children would otherwise share them).

    The client picks `seed`, so a replayed copy of a namespace (tutor.runner.client, fresh copies
    on GPUs) draws the same numbers. Only inherited state needs it: a CPU worker seeds torch's
    CPU generator alone (`torch.manual_seed` also queues lazy seeds for other devices, and reads
    source files for their tracebacks: 1.5 MiB per worker), and NumPy's only if `numpy.random`
    is loaded (importing it here would cost 5 MiB per worker).
    """
    random.seed(seed)
    if device == "cpu":
        torch.default_generator.manual_seed(seed & 0xFFFF_FFFF_FFFF)
    else:
        torch.manual_seed(seed & 0xFFFF_FFFF_FFFF)
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed(seed & 0xFFFF_FFFF)


#: The worker this process serves as, once it does (for the orphan signal's handler).
_serving: list[Worker] = []


def _orphaned(zygote: int) -> Any:
    def handler(signum: int, frame: object) -> None:
        if os.getppid() == zygote:
            return
        # The zygote is gone: take this worker's tree with it. A request running now is
        # answered first (the client then blames the zygote's end on it, not on the next one);
        # one whose reply is being written is left to finish it (serve() exits after).
        worker = _serving[0] if _serving else None
        if worker is not None:
            worker.orphaned = True
            if worker.replying:
                return
            if worker.request_id is not None:
                with contextlib.suppress(OSError, ValueError):
                    worker.sock.sendall(lost_reply(worker.request_id))
        reaping.end_tree(os.getpid(), include_root=False)
        os._exit(0)

    return handler


def run_worker(sock: socket.socket, out_fd: int, device: str, memory_limit_mib: int | None,
               seed: int | None = None, policy: dict[str, Any] | None = None) -> None:
    """Become a worker: set up fds, limits, device and RNGs, then serve; never returns.

    The worker has its own process group (a cell's `os.kill(0, ...)` reaches only it) and is a
    child subreaper, so everything a cell starts stays in its tree until the zygote ends it.
    With a sandbox `policy` (a served student's) it enters the sandbox before its first cell,
    or exits without serving if it cannot (the client reports a worker that died starting).
    """
    try:
        zygote = os.getppid()
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
        reaping.become_subreaper()
        signal.signal(ORPHAN_SIGNAL, _orphaned(zygote))
        if not reaping.parent_death_signal(ORPHAN_SIGNAL) and os.getppid() != zygote:
            os._exit(0)
        os.dup2(out_fd, OUTPUT_BACKUP_FD)
        keep = {0, 1, 2, OUTPUT_BACKUP_FD, sock.fileno()}
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        for fd in reaping.open_fds():
            if fd not in keep:
                with contextlib.suppress(OSError):
                    os.close(fd)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 (lives as long as the worker)
        builtins.input = _no_input
        builtins.plot = plots.plot  # type: ignore[attr-defined]
        set_signals(SHIELDED_SIGNALS, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        reseed(device, int.from_bytes(os.urandom(8), "little") if seed is None else seed)
        if device != "cpu":
            torch.set_default_device(device)
        elif memory_limit_mib:
            with contextlib.suppress(OSError, StopIteration, ValueError):  # no /proc: no limit
                limit_memory(memory_limit_mib)
        if policy is not None:
            sandbox.apply(policy)
        worker = Worker(sock, device)
        _serving.append(worker)
        protocol.send(sock, {"hello": os.getpid()})
        worker.serve()
    finally:
        os._exit(70)
