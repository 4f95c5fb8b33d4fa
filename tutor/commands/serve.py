"""`tutor serve --class DIR`: a class on one server (SSH, one shared runner, the teacher's view).

With a terminal, the teacher's view (tutor.ui.teacher) shows the class live; without one
(tests, systemd) it runs headless and logs a line per event. The server listens on loopback
unless told otherwise; see the README, "Teaching a class", and docs/serve.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from pathlib import Path
from typing import Any

from tutor.commands.options import add_global_options
from tutor.i18n import _


def register(subparsers: Any) -> None:
    sub = subparsers.add_parser("serve", help=_("serve the tutor to a class over SSH"))
    sub.add_argument("--class", dest="class_dir", type=Path, required=True, metavar=_("DIR"),
                     help=_("the class directory (students file, host key, students' progress)"))
    sub.add_argument("--host", default="127.0.0.1", metavar=_("HOST"),
                     help=_("address to listen on (default 127.0.0.1: this machine only)"))
    sub.add_argument("--port", type=int, default=2222, metavar=_("PORT"),
                     help=_("SSH port (default 2222)"))
    sub.add_argument("--max-students", type=int, default=100, metavar="N",
                     help=_("students connected at once (default 100)"))
    sub.add_argument("--enrol", metavar=_("CODE"),
                     help=_("let an unknown key in once, with this class code, to pick a name"))
    sub.add_argument("--headless", action="store_true",
                     help=_("log events instead of showing the class (the default without a "
                            "tty)"))
    add_global_options(sub, suppress=True)
    sub.set_defaults(func=run)


def app_arguments(args: argparse.Namespace) -> list[str]:
    """The global options each student's app is started with."""
    forwarded = []
    for option in ("lessons", "lang"):
        value = getattr(args, option, None)
        if value is not None:
            forwarded += [f"--{option}", str(Path(value).resolve() if option == "lessons"
                                               else value)]
    return forwarded


def log(line: str) -> None:
    """One event, one line, with the time (headless)."""
    print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)


async def serve_headless(service: Any) -> int:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        loop.add_signal_handler(signum, stop.set)
    try:
        await service.start()
    except Exception as exc:  # the port is taken, the runner cannot start: say so, exit 1
        log(_("cannot serve: {error}").format(error=exc))
        await service.close()
        return 1
    await stop.wait()
    log(_("stopping: hanging up every student"))
    await service.close()
    return 0


def run(args: argparse.Namespace) -> int:
    from tutor.serve.classdir import ClassDir
    from tutor.serve.server import ServeOptions
    from tutor.serve.service import ClassService

    classdir = ClassDir(args.class_dir)
    options = ServeOptions(max_students=args.max_students, enrol_code=args.enrol,
                           app_args=app_arguments(args),
                           lessons=str(Path(args.lessons).resolve())
                           if getattr(args, "lessons", None) else None)
    headless = args.headless or not (sys.stdin.isatty() and sys.stdout.isatty())
    if headless:
        service = ClassService(classdir, options, args.host, args.port, args.device or "auto",
                               log)
        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(serve_headless(service))
        return 0
    from tutor.ui.teacher.app import TeacherApp

    app = TeacherApp(classdir,
                     serve=lambda news: ClassService(classdir, options, args.host, args.port,
                                                     args.device or "auto", news))
    app.run()
    return app.return_code or 0
