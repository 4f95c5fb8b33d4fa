"""The zygote's process: `python -m tutor.runner.zygote_main --control FD ...` (the client starts
it) makes a Zygote, or a SharedZygote for `tutor serve`; with `--worker`, the same command is a
spawned worker (where workers are not forked).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import socket
from typing import Any

import torch

from tutor.runner import protocol, reaping, worker_process
from tutor.runner.zygote import PARENT_GONE_SIGNAL, Zygote
from tutor.runner.zygote_devices import probe_in_child
from tutor.runner.zygote_shared import SharedZygote
from tutor.runner.zygote_watchdog import MAX_PROCESSES


def _parent_gone(parent: int) -> Any:
    def handler(signum: int, frame: object) -> None:
        if os.getppid() != parent:
            raise SystemExit  # serve() unwinds to main(), which shuts down

    return handler


def main(argv: list[str] | None = None) -> None:
    """Entry point of the zygote (and, with --worker, of a spawned worker)."""
    parser = argparse.ArgumentParser(prog="tutor.runner.zygote_main")
    parser.add_argument("--control", type=int)
    parser.add_argument("--parent", type=int, default=0, help="exit when this parent is gone")
    parser.add_argument("--death-signal", action="store_true", help="PR_SET_PDEATHSIG too")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--memory-limit-mib", type=int, default=0)
    parser.add_argument("--spawn", action="store_true", help="start workers without fork")
    parser.add_argument("--no-preload", action="store_true", help="skip PRELOAD_AFTER_READY")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--socket", type=int)
    parser.add_argument("--output", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--sandbox", type=json.loads, help="a worker's sandbox policy (JSON)")
    parser.add_argument("--max-processes", type=int, default=MAX_PROCESSES)
    parser.add_argument("--listen", help="also serve apps on this Unix socket (tutor serve)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.worker:
        sock = socket.socket(fileno=args.socket)
        worker_process.run_worker(sock, args.output, args.device, args.memory_limit_mib or None,
                                  args.seed, args.sandbox)
    control = socket.socket(fileno=args.control)
    worker_process.set_signals((signal.SIGINT, worker_process.ORPHAN_SIGNAL,
                                *worker_process.SHIELDED_SIGNALS), signal.SIG_IGN)
    if args.parent:
        if args.death_signal:
            signal.signal(PARENT_GONE_SIGNAL, _parent_gone(args.parent))
            reaping.parent_death_signal(PARENT_GONE_SIGNAL)
        if os.getppid() != args.parent:
            os._exit(0)
    reaping.become_subreaper()
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
    options = (control, info["device"], args.memory_limit_mib or None, use_fork, args.parent,
               args.max_processes)
    # tutor serve: apps attach on a socket as well
    zygote = SharedZygote(*options, path=args.listen, ready={"info": info}) if args.listen \
        else Zygote(*options)
    if use_fork and not args.no_preload:
        zygote.start_preload()
    try:
        zygote.serve()
    finally:
        zygote.shutdown()


if __name__ == "__main__":
    main()
