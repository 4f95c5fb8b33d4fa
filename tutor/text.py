"""Text from cells, lesson files and answers, made safe and short enough to show."""

from __future__ import annotations

import re

#: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides that can
#: make shown text read differently from what it is.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character but newline and tab shown as an escape (`\\x1b`).

    A terminal acts on such characters (OSC 52 sets the clipboard, CSI 2J clears the screen), so
    anything a cell, a lesson file or a learner wrote passes through here before it is shown.
    A Windows line end counts as a newline.
    """
    return _CONTROLS.sub(_escape, text.replace("\r\n", "\n"))


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in "…" when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"
