"""The learner's progress: a small SQLite file that every attempt and step is committed to.

Writes are single transactions committed before the method returns, so a killed process loses
nothing it reported. The store never raises for file trouble: a damaged or foreign file is moved
aside and a new one begun; an unwritable one turns saving off and says so in `problem`.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from tutor.grading.quiz_state import QuizAttempts
from tutor.progress.opening import open_store, reason
from tutor.progress.paths import default_path
from tutor.text import shorten

#: The longest answer kept as typed (a code answer can be long); longer ones are cut with "…".
MAX_STORED_ANSWER = 2_000

_Statement = tuple[str, Sequence[Any]]

_TOUCH = """INSERT INTO lessons (lesson, position, touched, updated)
    VALUES (?, NULL, (SELECT COALESCE(MAX(touched), 0) + 1 FROM lessons), ?)
    ON CONFLICT (lesson) DO UPDATE SET touched = excluded.touched, updated = excluded.updated"""


def _now() -> str:
    """The current time, ISO 8601 in UTC with microseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def storable(text: str, limit: int = MAX_STORED_ANSWER) -> str:
    """`text` as it can be stored: a lone surrogate (which UTF-8 cannot encode) written as its
    escape, and cut to `limit` characters."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return shorten(text, limit)


class ProgressStore:
    """Attempts, hints, reveals, completed steps and positions of one learner."""

    def __init__(self, path: Path | None = None) -> None:
        self.path: Path = path if path is not None else default_path()
        self._lock = threading.RLock()
        opened = open_store(self.path)
        self._conn: sqlite3.Connection | None = opened.conn
        self._writable = opened.writable
        self._notice = opened.notice
        self._failure = opened.failure

    @property
    def problem(self) -> str | None:
        """One sentence when progress is not being saved or a damaged file was moved aside."""
        return self._failure or self._notice

    @property
    def saving(self) -> bool:
        """Whether writes currently reach the file."""
        return self._conn is not None and self._writable and self._failure is None

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file; later writes are dropped and reads return nothing."""
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.close()
                self._conn = None

    # Writing and reading

    def _write(self, lesson: str | None, now: str, statements: list[_Statement]) -> None:
        """Run statements in one committed transaction and touch `lesson`; errors stop saving."""
        with self._lock:
            conn = self._conn
            if conn is None or not self._writable:
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for sql, params in statements:
                        conn.execute(sql, params)
                    if lesson is not None:
                        conn.execute(_TOUCH, (lesson, now))
                    conn.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                self._failure = f"Progress is not being saved: {reason(exc)}."
                return
            self._failure = None

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Rows of a query, or none when the file cannot be read."""
        with self._lock:
            if self._conn is None:
                return []
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error:
                return []

    def record_attempt(
        self, lesson: str, quiz: str, answer: str, correct: bool, message: str, *,
        device: str, torch_version: str, revealed: bool = False,
    ) -> None:
        """Record one answer and its verdict; returns after it is committed.

        The answer is stored as `storable` makes it (escaped surrogates, at most 2,000 chars).
        """
        now = _now()
        self._write(lesson, now, [(
            """INSERT INTO attempts
                (lesson, quiz, answer, correct, message, device, torch_version, at, revealed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ? OR EXISTS (SELECT 1 FROM events
                    WHERE lesson = ? AND quiz = ? AND kind = 'reveal'))""",
            (lesson, quiz, storable(answer), bool(correct), storable(message), device,
             torch_version, now,
             bool(revealed), lesson, quiz),
        )])

    def record_hint(self, lesson: str, quiz: str) -> None:
        """Count one hint shown for a quiz."""
        now = _now()
        self._write(lesson, now, [(
            "INSERT INTO events (lesson, quiz, kind, at) VALUES (?, ?, 'hint', ?)",
            (lesson, quiz, now),
        )])

    def record_reveal(
        self, lesson: str, quiz: str, *, device: str = "", torch_version: str = ""
    ) -> None:
        """Record that the computed answer of a quiz was shown."""
        now = _now()
        self._write(lesson, now, [(
            """INSERT INTO events (lesson, quiz, kind, device, torch_version, at)
                VALUES (?, ?, 'reveal', ?, ?, ?)""",
            (lesson, quiz, device, torch_version, now),
        )])

    def complete_step(self, lesson: str, step: int) -> None:
        """Mark a step of a lesson as done (idempotent)."""
        now = _now()
        self._write(lesson, now, [(
            "INSERT OR IGNORE INTO steps (lesson, step, at) VALUES (?, ?, ?)",
            (lesson, int(step), now),
        )])

    def set_position(self, lesson: str, step: int) -> None:
        """Remember the step the learner is on, to resume there."""
        now = _now()
        self._write(lesson, now, [(
            """INSERT INTO lessons (lesson, position, touched, updated)
                VALUES (?, ?, (SELECT COALESCE(MAX(touched), 0) + 1 FROM lessons), ?)
                ON CONFLICT (lesson) DO UPDATE SET position = excluded.position""",
            (lesson, int(step), now),
        )])

    def position(self, lesson: str) -> int | None:
        """The step the learner was last on in a lesson, if any."""
        rows = self._read("SELECT position FROM lessons WHERE lesson = ?", (lesson,))
        return rows[0]["position"] if rows else None

    def last_lesson(self) -> str | None:
        """The lesson touched most recently (the app resumes it)."""
        rows = self._read("SELECT lesson FROM lessons ORDER BY touched DESC LIMIT 1")
        return rows[0]["lesson"] if rows else None

    def completed_steps(self, lesson: str) -> set[int]:
        """Steps of a lesson marked done."""
        return {row["step"] for row in self._read(
            "SELECT step FROM steps WHERE lesson = ?", (lesson,))}

    def _statuses(self, lesson: str | None) -> dict[str, dict[str, QuizAttempts]]:
        """Lesson -> quiz -> its attempts, hints and reveal, for one lesson or all."""
        where, params = ("WHERE lesson = ?", (lesson,)) if lesson is not None else ("", ())
        result: dict[str, dict[str, QuizAttempts]] = {}

        def status(row: sqlite3.Row) -> QuizAttempts:
            quizzes = result.setdefault(row["lesson"], {})
            return quizzes.setdefault(row["quiz"], QuizAttempts(quiz_id=row["quiz"]))

        for row in self._read(
            f"SELECT lesson, quiz, correct, revealed FROM attempts {where} ORDER BY id", params
        ):
            entry = status(row)
            if entry.first_attempt_correct is None:
                entry.first_attempt_correct = bool(row["correct"]) and not row["revealed"]
            entry.attempts += 1
            entry.solved = entry.solved or bool(row["correct"])
            entry.revealed = entry.revealed or bool(row["revealed"])
        for row in self._read(
            f"""SELECT lesson, quiz, SUM(kind = 'hint') AS hints, SUM(kind = 'reveal') AS reveals
                FROM events {where} GROUP BY lesson, quiz""", params
        ):
            entry = status(row)
            entry.hints_shown = row["hints"]
            entry.revealed = entry.revealed or row["reveals"] > 0
        return result

    def quiz_status(self, lesson: str) -> dict[str, QuizAttempts]:
        """Quiz id -> its attempts, hints and reveal, for the quizzes tried or helped (the same
        record the lesson session counts in: tutor.grading.QuizAttempts)."""
        return self._statuses(lesson).get(lesson, {})

    def summary(self) -> list[dict[str, Any]]:
        """One row per lesson with any progress, by lesson id."""
        statuses = self._statuses(None)
        steps = {row["lesson"]: row["n"] for row in self._read(
            "SELECT lesson, COUNT(*) AS n FROM steps GROUP BY lesson")}
        lessons = {row["lesson"]: row for row in self._read(
            "SELECT lesson, position, updated FROM lessons")}
        rows = []
        for lesson in sorted(set(lessons) | set(statuses) | set(steps)):
            quizzes = statuses.get(lesson, {}).values()
            info = lessons.get(lesson)
            rows.append({
                "lesson": lesson,
                "steps_done": steps.get(lesson, 0),
                "quizzes_solved": sum(q.solved for q in quizzes),
                "first_try": sum(bool(q.first_attempt_correct) for q in quizzes),
                "attempts": sum(q.attempts for q in quizzes),
                "hints": sum(q.hints_shown for q in quizzes),
                "reveals": sum(q.revealed for q in quizzes),
                "last_step": info["position"] if info else None,
                "updated": info["updated"] if info else None,
            })
        return rows

    def attempts(self, lesson: str | None = None) -> list[dict[str, Any]]:
        """Every attempt, oldest first: id, time, lesson, quiz, answer, verdict, device, torch."""
        where, params = ("WHERE lesson = ?", (lesson,)) if lesson is not None else ("", ())
        rows = self._read(
            f"""SELECT id, at, lesson, quiz, answer, correct, revealed, message, device,
                torch_version FROM attempts {where} ORDER BY id""", params)
        return [{
            "id": row["id"], "time": row["at"], "lesson": row["lesson"], "quiz": row["quiz"],
            "answer": row["answer"], "correct": bool(row["correct"]),
            "revealed": bool(row["revealed"]), "message": row["message"],
            "device": row["device"], "torch_version": row["torch_version"],
        } for row in rows]

    def reset(self, lesson: str | None = None) -> None:
        """Erase the progress of one lesson, or of all lessons."""
        tables = ("attempts", "events", "steps", "lessons")
        if lesson is None:
            self._write(None, _now(), [(f"DELETE FROM {table}", ()) for table in tables])
        else:
            self._write(None, _now(), [(f"DELETE FROM {table} WHERE lesson = ?", (lesson,))
                               for table in tables])
