"""The SSH server of `tutor serve`: who is connecting, and one app per connection.

Students are identified by public key (DIR/students); an unknown key is refused at
authentication, with a banner saying what to do, unless the class takes enrolment (`--enrol
CODE`): then the key is let in to a prompt for the class code and a name, and bound to that
name (trust on first use). Passwords are never accepted.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import asyncssh

from tutor.i18n import N_, _
from tutor.runner.shared import MESSAGES_VARIABLE, SANDBOX_VARIABLE, SOCKET_VARIABLE
from tutor.serve.app_launcher import AppLauncher
from tutor.serve.classdir import ClassDir
from tutor.serve.line_prompt import LinePrompt
from tutor.serve.pty_app import PtyApp
from tutor.serve.silence import SilenceWatch, keep_alive, why_dropped

#: SSH keepalive (answered by the client program itself): ends a connection whose machine still
#: acknowledges but whose ssh client has answered nothing for SSH_KEEPALIVE_S * (COUNT + 1) s.
SSH_KEEPALIVE_S = 10
SSH_KEEPALIVE_COUNT = 3
#: Below this much available memory (MiB) nobody new is let in.
MIN_AVAILABLE_MIB = 400
#: Said before authentication to anyone who connects (OpenSSH shows it).
BANNER = N_("tutor: students are identified by their SSH key. If you are refused, send your "
             "public key (the .pub file in ~/.ssh) to your teacher.")


def available_mib() -> int | None:
    """MemAvailable from /proc/meminfo, in MiB (None where unknown)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        return None
    return None


@dataclass
class ServeOptions:
    """What `tutor serve` was asked for."""

    max_students: int = 100
    enrol_code: str | None = None
    app_args: list[str] = field(default_factory=list)
    #: The lessons folder the apps read (`--lessons`, resolved), None for the shipped course.
    lessons: str | None = None


@dataclass
class LiveSession:
    """One connected student (what the teacher's view and the sessions file show)."""

    student: str
    peer: str
    started: float
    app_pid: int | None = None
    app: PtyApp | None = None


class ClassServer:
    """Everything the SSH sessions share: the class directory, the options, who is connected."""

    def __init__(self, classdir: ClassDir, options: ServeOptions,
                 on_news: Callable[[str], None]) -> None:
        self.classdir = classdir
        self.options = options
        self.news = on_news
        self.sessions: list[LiveSession] = []
        #: The UI zygote that forks the apps (None: each app is a fresh interpreter).
        self.launcher: AppLauncher | None = None
        self.tasks: set[asyncio.Task[Any]] = set()
        #: Called whenever `sessions` changes (a student came, their app started, they left):
        #: the service rewrites the sessions file at once, not at its next sample.
        self.on_change: Callable[[], None] = lambda: None
        #: Connections watched for data left unacknowledged (a silent network).
        self.silence = SilenceWatch()

    def add_session(self, live: LiveSession) -> None:
        """A student is in."""
        self.sessions.append(live)
        self.on_change()

    def remove_session(self, live: LiveSession) -> None:
        """A student has left (once)."""
        if live in self.sessions:
            self.sessions.remove(live)
            self.on_change()

    def task(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run `work` in the background, holding on to it until it is done."""
        running = asyncio.ensure_future(work)
        self.tasks.add(running)
        running.add_done_callback(self.tasks.discard)

    def admission_refusal(self) -> str | None:
        """Why a new student cannot come in now, or None."""
        if len(self.sessions) >= self.options.max_students:
            return _("The class is full: {count} students are connected, the most this server "
                     "takes. Try again in a few minutes.").format(count=self.options.max_students)
        available = available_mib()
        if available is not None and available < MIN_AVAILABLE_MIB:
            return _("The server is short of memory right now. Try again in a few minutes.")
        return None

    def app_environment(self, student: str, term: str) -> dict[str, str]:
        """The environment of a student's app."""
        keep = ("PATH", "LANG", "LC_ALL", "PYTHONPATH", "VIRTUAL_ENV")
        env = {name: os.environ[name] for name in keep if name in os.environ}
        env.setdefault("LANG", "C.UTF-8")
        env.update({
            "TERM": term or "xterm-256color",
            "HOME": str(self.classdir.home(student)),
            "TUTOR_HOME": str(self.classdir.home(student)),
            SOCKET_VARIABLE: str(self.classdir.runner_socket),
            SANDBOX_VARIABLE: json.dumps(self.classdir.sandbox_policy(student)),
            MESSAGES_VARIABLE: str(self.classdir.messages_file),
        })
        return env


class StudentSession(asyncssh.SSHServerSession):
    """One SSH session: a prompt if enrolling, then the student's app on a pseudo-terminal."""

    def __init__(self, server: ClassServer, student: str | None, key: tuple[str, str],
                 peer: str) -> None:
        self.server = server
        self.student = student
        self.key = key
        self.peer = peer
        self.chan: Any = None
        self.term = ""
        self.size = (80, 24)
        self.has_pty = False
        self.app: PtyApp | None = None
        self.prompt: LinePrompt | None = None
        self.live: LiveSession | None = None

    def connection_made(self, chan: Any) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: Any) -> bool:
        self.term, self.has_pty = term_type, True
        if term_size[0] and term_size[1]:
            self.size = (term_size[0], term_size[1])
        return True

    def shell_requested(self) -> bool:
        return True

    def exec_requested(self, command: str) -> bool:
        return True  # whatever was asked, the tutor is what runs (or a message saying why not)

    def session_started(self) -> None:
        self.server.task(self.begin())

    def say(self, text: str) -> None:
        """Write a line to the student's terminal."""
        self.chan.write(text.replace("\n", "\r\n").encode() + b"\r\n")

    def send(self, data: bytes) -> None:
        """The app's output to the student; dropped once the connection has gone."""
        if self.chan is not None and not self.chan.is_closing():
            self.chan.write(data)

    def refuse(self, text: str, event: str) -> None:
        """Tell the student why, log it, and close."""
        self.say(text)
        self.server.news(event)
        self.chan.exit(1)

    async def begin(self) -> None:
        if not self.has_pty:
            self.refuse(_("tutor needs a terminal: connect with `ssh -t`."),
                        _("refused {student} from {peer}: no terminal").format(
                            student=self.student or _("a new key"), peer=self.peer))
            return
        if self.student is None:
            self.prompt = LinePrompt(self.chan, self.enrolled)
            self.prompt.ask(_("Class code: "), secret=True)
            return
        await self.start_app()

    def enrolled(self, answers: list[str]) -> str | None:
        """The prompt's answers so far; the next question, or None when done (or refused)."""
        code = self.server.options.enrol_code
        if len(answers) == 1:
            if answers[0] != code:
                self.prompt = None
                self.refuse(_("That is not this class's code."),
                            _("enrolment refused from {peer}: wrong code").format(peer=self.peer))
                return None
            return _("Your name (letters, digits, . _ -): ")
        problem = self.server.classdir.enrol(answers[1], *self.key)
        if problem is not None:
            answers.pop()
            self.say(problem)
            return _("Your name: ")
        self.student = answers[1]
        self.prompt = None
        self.server.news(_("enrolled {student} ({key_type} key) from {peer}").format(
            student=self.student, key_type=self.key[0], peer=self.peer))
        self.server.task(self.start_app())
        return None

    async def start_app(self) -> None:
        assert self.student is not None
        refusal = self.server.admission_refusal()
        if refusal is not None:
            self.refuse(refusal, _("refused {student}: {why}").format(student=self.student,
                                                                       why=refusal))
            return
        self.live = LiveSession(self.student, self.peer, time.time())
        self.server.add_session(self.live)
        env = self.server.app_environment(self.student, self.term)
        self.app = PtyApp(self.server.options.app_args, env, *self.size,
                          write=self.send, on_exit=self.app_exited,
                          launcher=self.server.launcher)
        try:
            await self.app.start()
        except OSError as exc:
            self.end_live()
            self.refuse(_("The tutor could not start ({error}).").format(error=exc),
                        _("{student}: {error}").format(student=self.student, error=exc))
            return
        self.live.app_pid, self.live.app = self.app.pid, self.app
        self.server.on_change()
        self.server.news(_("connected {student} from {peer}").format(student=self.student,
                                                                      peer=self.peer))

    def end_live(self) -> None:
        if self.live is not None:
            self.server.remove_session(self.live)

    def app_exited(self, code: int) -> None:
        self.end_live()
        if self.chan is not None and not self.chan.is_closing():
            self.chan.exit(code if code >= 0 else 1)
        self.server.news(_("left {student} (the app ended, status {code})").format(
            student=self.student, code=code))

    def data_received(self, data: bytes, datatype: Any) -> None:
        if self.prompt is not None:
            self.prompt.feed(data)
        elif self.app is not None:
            self.app.feed(data)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int,
                              pixheight: int) -> None:
        if width and height:
            self.size = (width, height)
            if self.app is not None:
                self.app.resize(width, height)

    def pause_writing(self) -> None:
        if self.app is not None:
            self.app.pause()

    def resume_writing(self) -> None:
        if self.app is not None:
            self.app.resume()

    def connection_lost(self, exc: Exception | None) -> None:
        self.chan = None
        if self.app is not None and self.app.running:
            self.server.news(_("dropped {student}: the connection went ({why}); ending the "
                               "app").format(student=self.student, why=why_dropped(exc)))
            self.server.task(self.app.hang_up())


class StudentServer(asyncssh.SSHServer):
    """Authentication of one connection: by public key, against DIR/students."""

    def __init__(self, server: ClassServer) -> None:
        self.server = server
        self.student: str | None = None
        self.key: tuple[str, str] = ("", "")
        self.peer = "?"
        self.conn: Any = None

    def connection_made(self, conn: Any) -> None:
        sock = conn.get_extra_info("socket")
        keep_alive(sock)
        self.server.silence.watch(conn, sock)
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("?", 0)
        self.peer = f"{peer[0]}:{peer[1]}"
        conn.send_auth_banner(_(BANNER) + "\r\n")

    def connection_lost(self, exc: Exception | None) -> None:
        if self.conn is not None:
            self.server.silence.unwatch(self.conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return False

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: Any) -> bool:
        key_type, data = key.export_public_key("openssh").decode().split()[:2]
        student = self.server.classdir.student_for_key(key_type, data)
        if student is not None or self.server.options.enrol_code:
            self.student, self.key = student, (key_type, data)
            return True
        self.server.news(_("refused an unknown {key_type} key from {peer}").format(
            key_type=key_type, peer=self.peer))
        return False

    def session_requested(self) -> StudentSession:
        return StudentSession(self.server, self.student, self.key, self.peer)


async def listen(server: ClassServer, host: str, port: int) -> Any:
    """Start the SSH server; its host key is made in the class directory on first start."""
    key_path = server.classdir.host_key
    if not key_path.exists():
        key = asyncssh.generate_private_key("ssh-ed25519")
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key.export_private_key())
    return await asyncssh.listen(
        host, port, server_factory=lambda: StudentServer(server),
        server_host_keys=[str(key_path)], encoding=None, line_editor=False,
        keepalive_interval=SSH_KEEPALIVE_S, keepalive_count_max=SSH_KEEPALIVE_COUNT,
        login_timeout=60,
        server_version="tutor", allow_pty=True)
