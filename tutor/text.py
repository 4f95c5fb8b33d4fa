"""Text from cells, lesson files and answers, made safe and short enough to show."""

from __future__ import annotations

import re

#: C0 controls but tab and newline, DEL, C1 controls; the bidirectional marks, overrides and
#: isolates that can make shown text read differently from what it is (U+061C too); and the
#: invisible characters that make two different texts look the same (zero-width space, word
#: joiner and invisible operators, the byte-order mark, tag characters) or break a line where
#: none is shown (U+2028, U+2029). Joiners (U+200C, U+200D) stay: scripts and emoji need them.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)
#: What a spreadsheet reads as the start of a formula in a cell.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d[\d,_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


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


def spreadsheet_safe(text: str) -> str:
    """`text` for a CSV cell that a spreadsheet opens: one that would start a formula (`=`, `+`,
    `-`, `@`; `=HYPERLINK(...)` typed as an answer) gets a leading `'`, which spreadsheets show
    as text. Numbers (`-0.0898`, `+1e-3`) are left as they are."""
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value: object) -> object:
    """One CSV cell: text escaped (an answer or a message may hold what a cell raised) and kept
    from starting a spreadsheet formula (`=HYPERLINK(...)` typed as an answer); booleans in
    lower case."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return spreadsheet_safe(printable(value))
    return value
