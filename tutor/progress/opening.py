"""Opening the progress file: create it privately, check it is ours and sound, migrate it; move a
damaged file aside; fall back to reading a file that cannot be written."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from tutor.private_dirs import make_private_dir
from tutor.progress.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

#: How long a write waits for another session's write to finish (milliseconds).
BUSY_TIMEOUT_MS = 10_000


class Damaged(Exception):
    """The file is not a usable tutor progress store; the message says why."""


@dataclass
class Opened:
    """What opening found: a connection (None when nothing can be read), whether it may be
    written, and a sentence about damage (`notice`) or about not saving (`failure`)."""

    conn: sqlite3.Connection | None = None
    writable: bool = False
    notice: str | None = None
    failure: str | None = None


def reason(exc: BaseException) -> str:
    """A short reason for an OS or SQLite error, for a one-sentence message."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def connect(target: Path | str, *, uri: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(
        target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
        check_same_thread=False, uri=uri,
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def close_quietly(conn: sqlite3.Connection | None) -> None:
    if conn is not None:
        with contextlib.suppress(sqlite3.Error):
            conn.close()


def create_files(path: Path) -> bool:
    """Make sure the directory (0700) and the file (0600) exist, the file as a complete store.

    A new store is built under a temporary name and linked into place, so a file at `path` is
    never one that another session is still creating: an empty one has lost its contents, and
    True says so.
    """
    make_private_dir(path.parent)
    try:
        return path.stat().st_size == 0
    except FileNotFoundError:
        pass
    temporary = path.with_name(f"{path.name}.new-{os.getpid()}")
    # SQLite gives the -wal and -shm files the permissions of the database file.
    os.close(os.open(temporary, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600))
    try:
        conn = connect(temporary)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            migrate(conn)
        finally:
            conn.close()
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another session made it first: use theirs
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(temporary, path)
    except sqlite3.Error as exc:
        raise OSError(f"cannot create a progress file: {reason(exc)}") from exc
    finally:
        for leftover in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
            leftover.unlink(missing_ok=True)
    return False


def check(conn: sqlite3.Connection) -> None:
    """Raise `Damaged` unless the file is empty or a sound tutor store we can write."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != APPLICATION_ID:
        empty = conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None
        if app_id == 0 and version == 0 and empty:
            return
        raise Damaged("it is not a tutor progress file")
    verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    if verdict != "ok":
        raise Damaged(f"integrity check failed: {verdict}")
    if version > SCHEMA_VERSION:
        raise sqlite3.OperationalError("it was written by a newer version of tutor")


def migrate(conn: sqlite3.Connection) -> None:
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


def move_aside(path: Path, exc: BaseException, opened: Opened) -> bool:
    """Rename a damaged file (and its WAL) out of the way; False if that failed too."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
        n += 1
    try:
        os.replace(path, target)
        wal = Path(f"{path}-wal")
        if wal.exists():
            os.replace(wal, Path(f"{target}-wal"))
        Path(f"{path}-shm").unlink(missing_ok=True)
        create_files(path)
    except OSError as err:
        opened.failure = (
            f"Progress is not being saved: {path} is damaged ({reason(exc)}) "
            f"and could not be moved aside ({reason(err)})."
        )
        return False
    opened.notice = (
        f"The progress file was damaged ({reason(exc)}); it was moved to {target}; "
        "a new store was started."
    )
    return True


def open_read_only(path: Path) -> sqlite3.Connection | None:
    """Open an existing tutor store for reading only, so what was saved can still be shown.

    `mode=ro` first, which sees other sessions' commits; on a read-only folder or file system
    SQLite cannot create the -shm file that a WAL reader needs, so then `immutable=1`, which reads
    the file as it stands.
    """
    if not path.is_file():
        return None
    for query in ("mode=ro", "immutable=1"):
        conn: sqlite3.Connection | None = None
        try:
            conn = connect(f"{path.resolve().as_uri()}?{query}", uri=True)
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                close_quietly(conn)
                return None
            conn.execute("SELECT 1 FROM lessons LIMIT 1").fetchall()
            return conn
        except sqlite3.Error:
            close_quietly(conn)
    return None


def tighten_permissions(path: Path) -> None:
    """Make the file and its -wal/-shm companions readable by their owner only."""
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(OSError):
            if file.stat().st_mode & 0o077:
                os.chmod(file, 0o600)


def open_store(path: Path) -> Opened:
    """Open or create the file, moving a damaged one aside; on failure, open it read-only."""
    opened = Opened()

    def not_saving(exc: BaseException) -> Opened:
        opened.failure = f"Progress is not being saved: cannot write {path} ({reason(exc)})."
        opened.conn = open_read_only(path)
        return opened

    try:
        emptied = create_files(path)
    except OSError as exc:
        return not_saving(exc)
    for _ in range(2):
        conn: sqlite3.Connection | None = None
        try:
            if emptied:
                emptied = False
                raise Damaged("it is empty: 0 bytes")
            conn = connect(path)
            check(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: a commit survives power loss too, not only a killed process.
            conn.execute("PRAGMA synchronous = FULL")
            migrate(conn)
        except sqlite3.OperationalError as exc:
            close_quietly(conn)
            return not_saving(exc)
        except (Damaged, sqlite3.DatabaseError) as exc:
            close_quietly(conn)
            if not move_aside(path, exc, opened):
                return opened
            continue
        opened.conn, opened.writable = conn, True
        tighten_permissions(path)
        return opened
    opened.failure = f"Progress is not being saved: {path} could not be started afresh."
    return opened
