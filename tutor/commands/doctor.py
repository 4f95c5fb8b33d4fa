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
from tutor.i18n import _
from tutor.runner.client import RunnerError
from tutor.runner.measure import measure, rss_mib


def register(subparsers: Any) -> None:
    sub = subparsers.add_parser(
        "doctor", help=_("versions, devices, terminal colours, runner start and round-trip times")
    )
    sub.add_argument("--json", action="store_true", help=_("print one JSON object"))
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
            return _("unavailable")
        return f"{value:.{digits}f}{unit}" if isinstance(value, float) else f"{value}{unit}"

    found = data["devices_found"] or {}
    rows = [
        ("Python", f"{data['python']} ({data['platform']})"),
        ("torch", show(data["torch"])),
        ("Textual", show(data["textual"])),
        (_("devices found"), f"cuda: {show(found.get('cuda'))}, mps: {show(found.get('mps'))}, "
                             "cpu"),
        (_("device chosen"), _("{device} ({name}); requested {requested}").format(
            device=show(data["device"]), name=show(data["device_name"]),
            requested=data["device_requested"])),
        (_("terminal colours"), data["colour_system"]),
    ]
    if data["runner_error"]:
        rows.append((_("runner"), data["runner_error"]))
    rows += [
        (_("runner ready"), show(data["runner_ready_s"], " s")),
        (_("round trip"), _("{time} (median, snapshot included)").format(
            time=show(data["roundtrip_ms_median"], " ms", 3))),
        (_("fresh namespace"), show(data["fresh_namespace_ms"], " ms", 1)),
        (_("memory"), _("this process {ui}; runner session {session}").format(
            ui=show(data["ui_rss_mib"], " MiB RSS", 0),
            session=show(data["session_pss_mib"], " MiB PSS", 0))),
    ]
    width = max(16, *(len(label) for label, _value in rows))
    return "\n".join(f"{label:<{width}} {value}" for label, value in rows)


def run(args: argparse.Namespace) -> int:
    """Print the report; exit status 1 if the runner could not start."""
    data = report(getattr(args, "device", "auto"))
    if args.json:
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(_text(data))
    return 1 if data["runner_error"] else 0
