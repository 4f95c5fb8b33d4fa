"""The learner's progress: a small SQLite file that every attempt and step is committed to.

Writes are single transactions committed before the method returns, so a killed process loses
nothing it reported. The store never raises for file trouble: a damaged or foreign file is moved
aside and a new one begun; an unwritable one turns saving off and says so in `problem`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any

from tutor.progress.paths import default_path
from tutor.progress.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

#: How long a write waits for another session's write to finish (milliseconds).
BUSY_TIMEOUT_MS = 10_000

_Statement = tuple[str, Sequence[Any]]

_TOUCH = """INSERT INTO lessons (lesson, position, touched, updated)
    VALUES (?, NULL, (SELECT COALESCE(MAX(touched), 0) + 1 FROM lessons), ?)
    ON CONFLICT (lesson) DO UPDATE SET touched = excluded.touched, updated = excluded.updated"""


class _Damaged(Exception):
    """The file is not a usable tutor progress store; the message says why."""


def _now() -> str:
    """The current time, ISO 8601 in UTC with microseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _reason(exc: BaseException) -> str:
    """A short reason for an OS or SQLite error, for a one-sentence message."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


class ProgressStore:
    """Attempts, hints, reveals, completed steps and positions of one learner."""

    def __init__(self, path: Path | None = None) -> None:
        self.path: Path = path if path is not None else default_path()
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._writable = False
        self._notice: str | None = None
        self._failure: str | None = None
        self._open()

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

    # Opening

    def _open(self) -> None:
        """Open or create the file, moving a damaged one aside; on failure, turn saving off."""
        try:
            self._create_files()
        except OSError as exc:
            self._failure = (
                f"Progress is not being saved: cannot write {self.path} ({_reason(exc)})."
            )
            self._open_read_only()
            return
        for _ in range(2):
            conn: sqlite3.Connection | None = None
            try:
                conn = self._connect(self.path)
                self._check(conn)
                conn.execute("PRAGMA journal_mode = WAL")
                # FULL: a commit survives power loss too, not only a killed process.
                conn.execute("PRAGMA synchronous = FULL")
                self._migrate(conn)
            except sqlite3.OperationalError as exc:
                self._close_quietly(conn)
                self._failure = (
                    f"Progress is not being saved: cannot write {self.path} ({_reason(exc)})."
                )
                self._open_read_only()
                return
            except (_Damaged, sqlite3.DatabaseError) as exc:
                self._close_quietly(conn)
                if not self._move_aside(exc):
                    return
                continue
            self._conn = conn
            self._writable = True
            self._tighten_permissions()
            return
        self._failure = f"Progress is not being saved: {self.path} could not be started afresh."

    def _create_files(self) -> None:
        """Create the directory (0700) and an empty file (0600) before SQLite touches them."""
        parent = self.path.parent
        if not parent.is_dir():
            parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(parent, 0o700)
        # SQLite gives the -wal and -shm files the permissions of the database file.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)

    @staticmethod
    def _connect(target: Path | str, *, uri: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
            check_same_thread=False, uri=uri,
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return conn

    @staticmethod
    def _close_quietly(conn: sqlite3.Connection | None) -> None:
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def _check(self, conn: sqlite3.Connection) -> None:
        """Raise `_Damaged` unless the file is empty or a sound tutor store we can write."""
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            empty = conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None
            if app_id == 0 and version == 0 and empty:
                return
            raise _Damaged("it is not a tutor progress file")
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise _Damaged(f"integrity check failed: {verdict}")
        if version > SCHEMA_VERSION:
            raise sqlite3.OperationalError("it was written by a newer version of tutor")

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        """Bring the schema to `SCHEMA_VERSION`, one migration at a time, in one transaction."""
        if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another session may have migrated while we waited for the lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise

    def _move_aside(self, exc: BaseException) -> bool:
        """Rename a damaged file (and its WAL) out of the way; False if that failed too."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while target.exists():
            target = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
            n += 1
        try:
            os.replace(self.path, target)
            wal = Path(f"{self.path}-wal")
            if wal.exists():
                os.replace(wal, Path(f"{target}-wal"))
            Path(f"{self.path}-shm").unlink(missing_ok=True)
            self._create_files()
        except OSError as err:
            self._failure = (
                f"Progress is not being saved: {self.path} is damaged ({_reason(exc)}) "
                f"and could not be moved aside ({_reason(err)})."
            )
            return False
        self._notice = (
            f"The progress file was damaged ({_reason(exc)}); it was moved to {target}; "
            "a new store was started."
        )
        return True

    def _open_read_only(self) -> None:
        """Open an existing tutor store read-only, so what was saved can still be shown."""
        if not self.path.is_file():
            return
        conn: sqlite3.Connection | None = None
        try:
            conn = self._connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            if conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
                self._conn, conn = conn, None
        except sqlite3.Error:
            pass
        self._close_quietly(conn)

    def _tighten_permissions(self) -> None:
        """Make the file and its -wal/-shm companions readable by their owner only."""
        for file in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            with contextlib.suppress(OSError):
                if file.stat().st_mode & 0o077:
                    os.chmod(file, 0o600)

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
                self._failure = f"Progress is not being saved: {_reason(exc)}."
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
        """Record one answer and its verdict; returns after it is committed."""
        now = _now()
        self._write(lesson, now, [(
            """INSERT INTO attempts
                (lesson, quiz, answer, correct, message, device, torch_version, at, revealed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ? OR EXISTS (SELECT 1 FROM events
                    WHERE lesson = ? AND quiz = ? AND kind = 'reveal'))""",
            (lesson, quiz, answer, bool(correct), message, device, torch_version, now,
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

    def _statuses(self, lesson: str | None) -> dict[str, dict[str, dict[str, Any]]]:
        """Lesson -> quiz -> status, for one lesson or all."""
        where, params = ("WHERE lesson = ?", (lesson,)) if lesson is not None else ("", ())
        result: dict[str, dict[str, dict[str, Any]]] = {}

        def status(row: sqlite3.Row) -> dict[str, Any]:
            quizzes = result.setdefault(row["lesson"], {})
            return quizzes.setdefault(row["quiz"], {
                "attempts": 0, "solved": False, "first_try": False, "hints": 0, "revealed": False,
            })

        for row in self._read(
            f"SELECT lesson, quiz, correct, revealed FROM attempts {where} ORDER BY id", params
        ):
            entry = status(row)
            if entry["attempts"] == 0:
                entry["first_try"] = bool(row["correct"]) and not row["revealed"]
            entry["attempts"] += 1
            entry["solved"] = entry["solved"] or bool(row["correct"])
            entry["revealed"] = entry["revealed"] or bool(row["revealed"])
        for row in self._read(
            f"""SELECT lesson, quiz, SUM(kind = 'hint') AS hints, SUM(kind = 'reveal') AS reveals
                FROM events {where} GROUP BY lesson, quiz""", params
        ):
            entry = status(row)
            entry["hints"] = row["hints"]
            entry["revealed"] = entry["revealed"] or row["reveals"] > 0
        return result

    def quiz_status(self, lesson: str) -> dict[str, dict[str, Any]]:
        """Quiz id -> attempts, solved, first_try, hints, revealed, for quizzes tried or helped."""
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
                "quizzes_solved": sum(q["solved"] for q in quizzes),
                "first_try": sum(q["first_try"] for q in quizzes),
                "attempts": sum(q["attempts"] for q in quizzes),
                "hints": sum(q["hints"] for q in quizzes),
                "reveals": sum(q["revealed"] for q in quizzes),
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
