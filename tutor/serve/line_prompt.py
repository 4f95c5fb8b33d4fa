"""A line prompt on a raw SSH terminal (the enrolment questions): echo, backspace, Enter.

The client's terminal is raw once a pty is granted, so the server echoes what is typed (stars
for a secret) and reads a line up to Enter; Ctrl+C or Ctrl+D closes the session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: Characters a line may hold.
MAX_LINE = 64


class LinePrompt:
    """Asks questions one at a time; `answered` gets every answer so far and returns the next
    question, or None when it is done."""

    def __init__(self, chan: Any, answered: Callable[[list[str]], str | None]) -> None:
        self.chan = chan
        self.answered = answered
        self.answers: list[str] = []
        self.line = ""
        self.secret = False

    def ask(self, question: str, secret: bool = False) -> None:
        """Show a question and start reading its answer."""
        self.line, self.secret = "", secret
        self.chan.write(question.encode())

    def feed(self, data: bytes) -> None:
        """Keys typed by the student."""
        for char in data.decode(errors="ignore"):
            if char in ("\x03", "\x04"):
                self.chan.write(b"\r\n")
                self.chan.exit(1)
                return
            if char in ("\r", "\n"):
                self.chan.write(b"\r\n")
                self.answers.append(self.line.strip())
                question = self.answered(self.answers)
                if question is None:
                    return
                self.ask(question)
            elif char in ("\x7f", "\x08"):
                if self.line:
                    self.line = self.line[:-1]
                    self.chan.write(b"\x08 \x08")
            elif char.isprintable() and len(self.line) < MAX_LINE:
                self.line += char
                self.chan.write(b"*" if self.secret else char.encode())
