"""The UI zygote of `tutor serve`: imports Textual and the app once, then forks one app per student.

Thirty students who connect together would otherwise each import Textual and the tutor's UI
(a few hundred ms of CPU each, all at once); forked from this process they start drawing at
once and share its pages. Never imports torch (it is a UI process) and never starts an event
loop or a thread before forking.

It also parses the course before forking (`--lessons`, as the apps are given it, in every
language the tutor has): each app is handed that course instead of parsing every lesson file
itself, unless a lesson file changed since (then the app reads the folder as usual).

Started by the serve process as `python -m tutor.app_zygote --control FD [--lessons DIR]`.
On the control
socket (tutor.runner.protocol frames): `{"args", "env"}` with the pseudo-terminal's slave fd
(SCM_RIGHTS) starts an app, answered `{"event": "started", "token", "pid"}`; each app's exit is
reported as `{"event": "exit", "pid", "status"}`. The control socket closing ends every app.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import random
import selectors
import signal
import socket
import sys
from pathlib import Path
from typing import Any, NoReturn

import textual.app  # noqa: F401 (preloaded for the apps, as are the tutor's modules below)

import tutor.cli
import tutor.commands.app
import tutor.ui.app
import tutor.ui.screens.lesson
from tutor.course import Course, cache, default_lessons_dir, load_course
from tutor.i18n import available_languages
from tutor.runner import protocol

#: The course parsed before forking, by (lesson folder, language), with the folder's stamp
#: (tutor.course.cache) at the time: an app asking for the same, unchanged, gets it as is.
PARSED: dict[tuple[Path, str | None], tuple[Course, Any]] = {}


def parse_courses(lessons: Path | None) -> None:
    """Parse the course in every language before forking (what each app would do first)."""
    directory = lessons or default_lessons_dir()
    for lang in available_languages():
        with contextlib.suppress(Exception):  # only a speed-up: the app reads it itself
            at = cache.stamp(directory, lang)
            PARSED[(directory, lang)] = (load_course(directory, lang, use_cache=False), at)


def parsed_course(lessons_dir: Path | None = None, lang: str | None = None, *,
                  use_cache: bool = True) -> Course:
    """`load_course` for a forked app: the course parsed before the fork, if still current."""
    directory = lessons_dir or default_lessons_dir()
    found = PARSED.get((directory, lang))
    if found is not None and use_cache:
        with contextlib.suppress(OSError):
            if cache.stamp(directory, lang) == found[1]:
                return found[0]
    return load_course(lessons_dir, lang, use_cache=use_cache)


def become_app(control: socket.socket, slave: int, args: list[str], env: dict[str, str]) -> None:
    """In the forked child: a session of its own on the terminal, the student's env; run."""
    status = 70
    try:
        control.close()
        os.setsid()
        with contextlib.suppress(OSError):
            import fcntl
            import termios

            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)  # the pty is its controlling terminal
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        os.closerange(3, 65536)
        os.environ.clear()
        os.environ.update(env)
        for signum in (signal.SIGCHLD, signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        random.seed()
        tutor.commands.app.load_course = parsed_course
        status = int(tutor.cli.main(args) or 0)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        status = 1
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        os._exit(status)


class AppZygote:
    """Forks apps on request and reports their exits."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.apps: set[int] = set()

    def start(self, request: dict[str, Any], fds: list[int]) -> None:
        if len(fds) != 1:
            for fd in fds:
                os.close(fd)
            return
        slave = fds[0]
        pid = os.fork()
        if pid == 0:
            become_app(self.control, slave, list(request.get("args", [])),
                       dict(request.get("env", {})))
        os.close(slave)
        self.apps.add(pid)
        protocol.send(self.control, {"event": "started", "token": request.get("token"),
                                     "pid": pid})

    def reap(self) -> None:
        while self.apps:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.apps.discard(pid)
            protocol.send(self.control, {"event": "exit", "pid": pid,
                                         "status": os.waitstatus_to_exitcode(status)})

    def shutdown(self) -> NoReturn:
        for pid in self.apps:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        os._exit(0)

    def receive(self) -> tuple[dict[str, Any], list[int]]:
        """The next request and the fds that came with it; the socket closing ends everything."""
        try:
            header, fds, _, _ = socket.recv_fds(self.control, 4, 4)
            if len(header) < 4:
                self.shutdown()
            body = protocol._recv_exact(self.control, protocol._size(header))
            if body is None:
                self.shutdown()
            return protocol.decode(body), fds
        except (OSError, protocol.ProtocolError):
            self.shutdown()

    def serve(self) -> None:
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        selector = selectors.DefaultSelector()
        selector.register(self.control, selectors.EVENT_READ)
        selector.register(wake_read, selectors.EVENT_READ)
        while True:
            for key, _ in selector.select(1.0):
                if key.fileobj == wake_read:
                    os.read(wake_read, 4096)
                    continue
                request, fds = self.receive()
                self.start(request, fds)
            self.reap()
            if os.getppid() == 1:
                self.shutdown()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tutor.app_zygote")
    parser.add_argument("--control", type=int, required=True)
    parser.add_argument("--lessons", type=Path, help="the lesson folder the apps are given")
    args = parser.parse_args(argv)
    control = socket.socket(fileno=args.control)
    for signum in (signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    parse_courses(args.lessons)
    gc.collect()
    gc.freeze()
    protocol.send(control, {"event": "ready"})
    AppZygote(control).serve()


if __name__ == "__main__":
    main()
