"""The progress schema: an application id that marks the file as ours, and its migrations.

Each migration takes the schema from version `i` to `i + 1` (`PRAGMA user_version`). Append new
ones; never edit one that has shipped.
"""

from __future__ import annotations

#: `PRAGMA application_id` of a tutor progress file ("TUTR"); anything else is a foreign file.
APPLICATION_ID = 0x54555452

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: attempts, completed steps, and one row per lesson for position and recency.
    (
        """CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            lesson TEXT NOT NULL,
            quiz TEXT NOT NULL,
            answer TEXT NOT NULL,
            correct INTEGER NOT NULL,
            message TEXT NOT NULL,
            device TEXT NOT NULL,
            torch_version TEXT NOT NULL,
            at TEXT NOT NULL
        )""",
        "CREATE INDEX attempts_by_quiz ON attempts (lesson, quiz, id)",
        """CREATE TABLE steps (
            lesson TEXT NOT NULL,
            step INTEGER NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (lesson, step)
        )""",
        """CREATE TABLE lessons (
            lesson TEXT PRIMARY KEY,
            position INTEGER,
            touched INTEGER NOT NULL,
            updated TEXT NOT NULL
        )""",
    ),
    # 2: hints and reveals are counted; an attempt remembers whether the answer had been shown.
    (
        "ALTER TABLE attempts ADD COLUMN revealed INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            lesson TEXT NOT NULL,
            quiz TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('hint', 'reveal')),
            device TEXT NOT NULL DEFAULT '',
            torch_version TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        )""",
        "CREATE INDEX events_by_quiz ON events (lesson, quiz, kind)",
    ),
)

#: The version this code reads and writes.
SCHEMA_VERSION = len(MIGRATIONS)
