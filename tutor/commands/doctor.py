"""`tutor doctor`: versions, devices, terminal colours, and the runner measured against its budgets.

Reads versions without importing Textual or torch here (torch is asked in a worker), so the
process's own memory is that of the UI process without its widgets.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import os
import platform
import sys
from typing import Any

from tutor.commands.options import add_global_options
from tutor.runner import sandbox
from tutor.runner.client import RunnerError
from tutor.runner.measure import measure, rss_mib


def register(subparsers: Any) -> None:
    sub = subparsers.add_parser(
        "doctor", help="versions, devices, terminal colours, runner start and round-trip times"
    )
    sub.add_argument("--json", action="store_true", help="print one JSON object")
    add_global_options(sub, suppress=True)
    sub.set_defaults(func=run)


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def colour_system(env: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """The colours the terminal claims to support: none, 16, 256 or truecolor."""
    if "NO_COLOR" in env:
        return "none"
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "truecolor"
    term = env.get("TERM", "")
    if not term or term == "dumb":
        return "none"
    if "256color" in term:
        return "256"
    return "16"


def report(device: str) -> dict[str, Any]:
    """Everything `tutor doctor` shows, as data; runner figures are None if it cannot start."""
    data: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "torch": _version("torch"),
        "textual": _version("textual"),
        "tutor": _version("tutor"),
        "device_requested": device,
        "device": None,
        "device_name": None,
        "devices_found": None,
        "colour_system": colour_system(),
        "runner_error": None,
        "runner_ready_s": None,
        "roundtrip_ms_median": None,
        "fresh_namespace_ms": None,
        "session_pss_mib": None,
        "sandbox": sandbox.capabilities(),
    }
    try:
        figures = asyncio.run(measure(device))
    except RunnerError as exc:
        data["runner_error"] = str(exc)
    else:
        info = figures.pop("device_info")
        data.update(
            torch=info["torch"], device=info["device"], device_name=info["name"],
            devices_found=figures.pop("devices"), **figures,
        )
    data["ui_rss_mib"] = rss_mib()
    return data


def _text(data: dict[str, Any]) -> str:
    def show(value: Any, unit: str = "", digits: int = 2) -> str:
        if value is None:
            return "unavailable"
        return f"{value:.{digits}f}{unit}" if isinstance(value, float) else f"{value}{unit}"

    found = data["devices_found"] or {}
    lines = [
        f"Python           {data['python']} ({data['platform']})",
        f"torch            {show(data['torch'])}",
        f"Textual          {show(data['textual'])}",
        f"devices found    cuda: {show(found.get('cuda'))}, mps: {show(found.get('mps'))}, cpu",
        f"device chosen    {show(data['device'])} ({show(data['device_name'])}); "
        f"requested {data['device_requested']}",
        f"terminal colours {data['colour_system']}",
        f"sandbox          {_sandbox_line(data['sandbox'])}",
    ]
    if data["runner_error"]:
        lines.append(f"runner           {data['runner_error']}")
    lines += [
        f"runner ready     {show(data['runner_ready_s'], ' s')}",
        f"round trip       {show(data['roundtrip_ms_median'], ' ms', 3)} "
        "(median, snapshot included)",
        f"fresh namespace  {show(data['fresh_namespace_ms'], ' ms', 1)}",
        f"memory           this process {show(data['ui_rss_mib'], ' MiB RSS', 0)}; "
        f"runner session {show(data['session_pss_mib'], ' MiB PSS', 0)}",
    ]
    return "\n".join(lines)


def _sandbox_line(found: dict[str, Any]) -> str:
    """What `tutor serve` would enforce on this kernel, and what it could not."""
    parts = [name for name, key in (("files", "files"), ("signals", "signals"),
                                    ("abstract sockets", "abstract_unix_sockets"),
                                    ("TCP", "tcp")) if found[key]]
    confined = ", ".join(parts) or "nothing"
    line = f"Landlock ABI {found['landlock_abi']}: tutor serve confines {confined}"
    for missing in found["missing"]:
        line += f"; missing: {missing}"
    return line


def run(args: argparse.Namespace) -> int:
    """Print the report; exit status 1 if the runner could not start."""
    data = report(getattr(args, "device", "auto"))
    if args.json:
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(_text(data))
    return 1 if data["runner_error"] else 0
