"""The class directory: who the students are, where each one's files live, the server's keys.

```
DIR/students            NAME KEYTYPE KEY [COMMENT], one student a line (authorized_keys format)
DIR/ssh_host_ed25519_key  the server's host key (made on first start, 0600)
DIR/home/NAME/          a student's TUTOR_HOME: progress, settings, cache (0700)
DIR/scratch/NAME/       the only place a student's cells may write (tutor.runner.sandbox)
DIR/run/                runtime (0700): the shared runner's socket, the live sessions, messages
```
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.i18n import _
from tutor.private_dirs import make_private_dir

#: A student's name: it names their folders, so letters, digits, dot, dash and underscore only.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


class StudentsFileError(ValueError):
    """A line of DIR/students that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Student:
    """One line of the students file."""

    name: str
    key_type: str
    key: str
    comment: str = ""

    def line(self) -> str:
        """The line as it is written in DIR/students."""
        return " ".join(filter(None, (self.name, self.key_type, self.key, self.comment)))


def parse_students(text: str, path: str = "students") -> tuple[list[Student], list[str]]:
    """The students listed, and one `file:line: message` for each line that cannot be read."""
    students: list[Student] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 3)
        if len(parts) < 3:
            errors.append(_("{path}:{line}: expected NAME KEYTYPE KEY [COMMENT]").format(
                path=path, line=number))
            continue
        if not NAME.match(parts[0]):
            errors.append(_("{path}:{line}: '{name}' is not a usable name (letters, digits, "
                            ". _ -; 32 at most)").format(path=path, line=number, name=parts[0]))
            continue
        students.append(Student(parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else ""))
    return students, errors


class ClassDir:
    """Paths and files of one class."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.students_file = self.root / "students"
        self.host_key = self.root / "ssh_host_ed25519_key"
        self.homes = self.root / "home"
        self.scratches = self.root / "scratch"
        self.run = self.root / "run"
        self.runner_socket = self.run / "runner.sock"
        self.sessions_file = self.run / "sessions.json"
        self.messages_file = self.run / "messages"

    def prepare(self) -> None:
        """Make the folders the server needs (0700) and an empty students file if none."""
        for folder in (self.root, self.homes, self.scratches, self.run):
            make_private_dir(folder)
        if not self.students_file.exists():
            fd = os.open(self.students_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(fd, b"# NAME KEYTYPE KEY [COMMENT], one student a line\n")
            os.close(fd)

    def students(self) -> tuple[list[Student], list[str]]:
        """The students listed now (the file is read on every call: edit it while serving)."""
        try:
            text = self.students_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], []
        return parse_students(text, str(self.students_file))

    def names(self) -> list[str]:
        """Every student's name, listed or with a folder, sorted."""
        listed = {student.name for student in self.students()[0]}
        with contextlib.suppress(OSError):
            listed |= {p.name for p in self.homes.iterdir() if p.is_dir() and NAME.match(p.name)}
        return sorted(listed)

    def student_for_key(self, key_type: str, key: str) -> str | None:
        """The name bound to a public key, if any."""
        for student in self.students()[0]:
            if student.key_type == key_type and student.key == key:
                return student.name
        return None

    def enrol(self, name: str, key_type: str, key: str) -> str | None:
        """Bind a key to a name in the students file; None if done, else why not (one line)."""
        if not NAME.match(name):
            return _("Use letters, digits, '.', '_' or '-' (32 at most), starting with a letter.")
        with open(self.students_file, "a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # two students enrolling at once
            handle.seek(0)
            students = parse_students(handle.read())[0]
            if any(s.name == name for s in students):
                return _("'{name}' is taken: pick another name.").format(name=name)
            if any(s.key == key for s in students):
                return _("This key is already enrolled.")
            handle.write(Student(name, key_type, key, "enrolled").line() + "\n")
        return None

    def home(self, name: str) -> Path:
        """A student's TUTOR_HOME (made 0700)."""
        path = self.homes / name
        make_private_dir(path)
        return path

    def scratch(self, name: str) -> Path:
        """A student's scratch folder (made 0700)."""
        path = self.scratches / name
        make_private_dir(path)
        return path

    def sandbox_policy(self, name: str) -> dict[str, Any]:
        """The sandbox policy of a student's workers (tutor.runner.sandbox applies it)."""
        others = [str(self.homes / other) for other in self.names() if other != name]
        others += [str(self.scratches / other) for other in self.names() if other != name]
        return {"student": name, "scratch": str(self.scratch(name)),
                "deny": [str(self.root), str(Path.home()), *others]}

    def sessions(self) -> list[dict[str, Any]]:
        """The live sessions the server last wrote ([] when none or no server)."""
        try:
            data = json.loads(self.sessions_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [s for s in data.get("sessions", []) if isinstance(s, dict)]

    def write_sessions(self, sessions: list[dict[str, Any]]) -> None:
        """Replace the live sessions file atomically."""
        temporary = self.sessions_file.with_suffix(".tmp")
        temporary.write_text(json.dumps({"sessions": sessions}), encoding="utf-8")
        temporary.replace(self.sessions_file)

    def post_message(self, text: str) -> None:
        """Append a one-line message for every student's app (tutor.ui.class_messages)."""
        line = " ".join(text.split())
        if line:
            with open(self.messages_file, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")
