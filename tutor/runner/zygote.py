"""The zygote: imports torch once, single-threaded, then only forks workers on request.

Started by the client as `python -m tutor.runner.zygote_main --control FD ...` (that module makes
it). It talks to the client on the control socket (framed JSON, worker fds passed with
SCM_RIGHTS) and reports each worker's exit status. It is a child subreaper: whatever a worker
leaves behind comes back to it and is ended, and so is a worker's whole tree when the worker
goes. It watches its workers' process counts and memory (`Watchdog`), ignores the signals a cell
could send it to end the session, and when the client goes (control socket closed, parent gone)
it ends everything and exits.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from tutor.runner import protocol, reaping, wire, worker_process
from tutor.runner.zygote_watchdog import MAX_PROCESSES, TICK_S, Watchdog

#: Imported once the runner is ready, before the first fork. torch imports torch._dynamo on the
#: first optimizer or meta-device init (lessons 1 and 6): ~1 s and ~100 MiB in each worker, again
#: after every reset; preloaded, it is shared. Figures in BENCHMARKS.md, "Runner".
PRELOAD_AFTER_READY = ("torch._dynamo",)
#: Sent to the zygote when its parent dies: it ends everything and exits.
PARENT_GONE_SIGNAL = signal.SIGRTMIN + 2 if hasattr(signal, "SIGRTMIN") else signal.SIGTERM


def preload() -> None:
    """Import PRELOAD_AFTER_READY, then freeze the new objects as main() froze torch's."""
    for name in PRELOAD_AFTER_READY:
        with contextlib.suppress(Exception):  # only a speed-up: a worker imports it when used
            importlib.import_module(name)
    gc.collect()
    gc.freeze()


class Zygote:
    """Forks workers on request, reports their exits, and ends whatever they leave behind."""

    def __init__(self, control: socket.socket, device: str, memory_limit_mib: int | None,
                 use_fork: bool, parent: int, max_processes: int = MAX_PROCESSES) -> None:
        self.control = control
        self.device = device
        self.memory_limit_mib = memory_limit_mib
        self.use_fork = use_fork
        self.parent = parent
        self.children: set[int] = set()
        #: The control socket that asked for each worker (several: tutor.runner.zygote_shared).
        self.owners: dict[int, socket.socket] = {}
        self.spawned: dict[int, subprocess.Popen[bytes]] = {}
        self.waiting: list[tuple[dict[str, Any], socket.socket]] = []
        #: A worker died: its orphans are ours now. Swept once the zygote has been idle for a
        #: tick, so that the look at every process never delays a reset's spawn.
        self.sweep_due = False
        self.last_watch = time.monotonic()
        self.watchdog = Watchdog(memory_limit_mib, max_processes)
        self.watchdog.cpu_limited = device == "cpu"
        #: Runs `preload` while the zygote waits; spawns wait for it (forks stay single-threaded)
        #: while pings are still answered, so the client's deadlines hold during the preload.
        self.preloading: threading.Thread | None = None
        self.preload_done_read, self.preload_done_write = os.pipe()
        self.selector = selectors.DefaultSelector()

    def start_preload(self) -> None:
        """Import PRELOAD_AFTER_READY on a thread; the pipe says when it is done."""
        def run() -> None:
            preload()
            os.write(self.preload_done_write, b"x")

        self.preloading = threading.Thread(target=run, name="preload", daemon=True)
        self.preloading.start()

    def spawn(self, command: dict[str, Any], control: socket.socket | None = None) -> None:
        """Start one worker; hand its socket and output pipe to the client that asked."""
        control = control or self.control
        if self.preloading is not None and self.preloading.is_alive():
            self.waiting.append((command, control))
            return
        client_end, worker_end = socket.socketpair()
        out_read, out_write = os.pipe()
        seed = command.get("seed")
        sandbox = command.get("sandbox")  # a served student's policy (tutor.runner.sandbox)
        if self.use_fork:
            pid = os.fork()
            if pid == 0:
                client_end.close()
                os.close(out_read)
                self.control.close()
                worker_process.run_worker(worker_end, out_write, self.device,
                                          self.memory_limit_mib, seed, sandbox)
            with contextlib.suppress(OSError):
                os.setpgid(pid, pid)
        else:
            pid = self.spawn_process(worker_end, out_write, seed, sandbox)
        self.children.add(pid)
        self.owners[pid] = control
        worker_end.close()
        os.close(out_write)
        with contextlib.suppress(OSError):  # a shared zygote's client may have gone meanwhile
            protocol.send(control, {"event": "spawned", "token": command["token"], "pid": pid},
                          fds=[client_end.fileno(), out_read])
        client_end.close()
        os.close(out_read)

    def spawn_process(self, worker_end: socket.socket, out_write: int, seed: int | None,
                      sandbox: dict[str, Any] | None = None) -> int:
        """Without fork: a fresh interpreter running the worker (slower, same behaviour)."""
        args = [sys.executable, "-m", "tutor.runner.zygote_main", "--worker",
                "--socket", str(worker_end.fileno()), "--output", str(out_write),
                "--device", self.device]
        if self.memory_limit_mib:
            args += ["--memory-limit-mib", str(self.memory_limit_mib)]
        if seed is not None:
            args += ["--seed", str(seed)]
        if sandbox is not None:
            args += ["--sandbox", json.dumps(sandbox)]
        process = subprocess.Popen(args, pass_fds=[worker_end.fileno(), out_write],
                                   stdin=subprocess.DEVNULL)
        self.spawned[process.pid] = process
        return process.pid

    def end(self, pid: int) -> None:
        """End a worker (the client dropped it, or it broke a limit).

        Killing its process group is enough here: the worker is a subreaper, so everything else
        below it comes back to the zygote when it dies, and the sweep after the reap ends that.
        """
        if pid in self.children:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    def reap(self) -> None:
        """Collect exited children; tell the client how each worker ended; plan a sweep."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid in self.children:
                self.children.discard(pid)
                self.spawned.pop(pid, None)
                self.sweep_due = True
                self.tell(self.owners.pop(pid, self.control),
                          {"event": "exit", "pid": pid, "status": status})

    def tell(self, control: socket.socket, message: dict[str, Any]) -> None:
        """Send news to a client; one that has gone (a shared zygote's) is not an error."""
        with contextlib.suppress(OSError):
            protocol.send(control, message)

    def sweep(self) -> None:
        """End every child that is not a worker: a dead worker's orphans, adopted by us."""
        self.sweep_due = False
        table = reaping.process_table() or {}
        me = os.getpid()
        for pid, (ppid, _) in table.items():
            if ppid == me and pid not in self.children:
                reaping.end_tree(pid)

    def watch(self) -> None:
        """The periodic look: the parent still there, every worker within its limits."""
        self.last_watch = time.monotonic()
        if self.parent and os.getppid() != self.parent:
            self.shutdown()
        for pid, reason in self.watchdog.over_limit(set(self.children)).items():
            # The English reason, and the sentence the client words in the app's language.
            self.tell(self.owners.get(pid, self.control),
                      {"event": "limit", "pid": pid, "reason": wire.worded(reason),
                       "said": reason})
            self.end(pid)

    def shutdown(self) -> None:
        """End every worker's tree and anything else below us, then exit."""
        for pid in list(self.children):
            reaping.end_tree(pid)
        reaping.end_tree(os.getpid(), include_root=False)
        os._exit(0)

    def serve(self) -> None:
        """Answer commands, reap children and watch limits until the client goes."""
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        selector = self.selector
        selector.register(self.control, selectors.EVENT_READ)
        selector.register(wake_read, selectors.EVENT_READ)
        selector.register(self.preload_done_read, selectors.EVENT_READ)
        while True:
            events = selector.select(TICK_S)
            if not events and self.sweep_due:
                self.sweep()
            for key, _ in events:
                if key.fileobj == wake_read:
                    os.read(wake_read, 4096)
                elif key.fileobj == self.preload_done_read:
                    os.read(self.preload_done_read, 16)
                    if self.preloading is not None:
                        self.preloading.join()
                        self.preloading = None
                    waiting, self.waiting = self.waiting, []
                    for command, control in waiting:
                        self.spawn(command, control)
                else:
                    self.command(key.fileobj)  # type: ignore[arg-type]
            self.reap()
            if not events or time.monotonic() - self.last_watch >= TICK_S:
                self.watch()  # between commands, so a look never delays a spawn

    def closed(self, control: socket.socket) -> None:
        """A client closed its control socket or asked to exit: the runner's session is over."""
        self.shutdown()

    def command(self, control: socket.socket | None = None) -> None:
        """Handle one command from a client (the only one, unless the zygote is shared)."""
        control = control or self.control
        try:
            command = protocol.recv(control)
        except (OSError, protocol.ProtocolError):
            command = None
        if command is None or command.get("cmd") == "exit":
            self.closed(control)
            return
        cmd = command.get("cmd")
        if cmd == "spawn":
            self.spawn(command, control)
        elif cmd == "end":
            pid = int(command.get("pid", 0))
            if self.owners.get(pid) is control:  # a client ends its own workers only
                self.end(pid)
        elif cmd == "ping":
            self.tell(control, {"event": "pong", "token": command.get("token")})
