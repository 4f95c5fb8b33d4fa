"""The progress store: what it records, and how it survives damaged or unwritable files."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from tutor.grading.quiz_state import QuizAttempts
from tutor.progress import ProgressStore, default_path, opening
from tutor.progress.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION


def attempt(store: ProgressStore, quiz: str, answer: str, correct: bool, lesson: str = "autograd",
            **extra: bool) -> None:
    store.record_attempt(lesson, quiz, answer, correct, "message", device="cpu",
                         torch_version="2.13.0", **extra)


@pytest.fixture
def store(tmp_path: Path):
    with ProgressStore(tmp_path / "home" / "progress.sqlite3") as store:
        yield store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_path_follows_tutor_home(monkeypatch, tmp_path):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path))
    assert default_path() == tmp_path / "progress.sqlite3"
    monkeypatch.delenv("TUTOR_HOME")
    assert default_path().name == "progress.sqlite3"
    assert default_path().parent.name.lower() == "tutor"


def test_attempts_are_recorded_with_time_device_and_torch(store):
    attempt(store, "w-grad", "-0.09", False)
    attempt(store, "w-grad", "−0.0898", True)
    rows = store.attempts()
    assert [(r["answer"], r["correct"]) for r in rows] == [("-0.09", False), ("−0.0898", True)]
    assert rows[0]["device"] == "cpu" and rows[0]["torch_version"] == "2.13.0"
    assert rows[0]["time"].endswith("Z") and rows[0]["time"] <= rows[1]["time"]
    assert store.problem is None and store.saving


def test_quiz_status_counts_attempts_hints_and_reveals(store):
    attempt(store, "a", "1", True)
    attempt(store, "b", "1", False)
    attempt(store, "b", "2", True)
    store.record_hint("autograd", "b")
    store.record_hint("autograd", "b")
    store.record_reveal("autograd", "c", device="cpu", torch_version="2.13.0")
    attempt(store, "c", "3", True)
    status = store.quiz_status("autograd")
    assert status["a"] == QuizAttempts(quiz_id="a", attempts=1, solved=True,
                                       first_attempt_correct=True)
    assert status["b"] == QuizAttempts(quiz_id="b", attempts=2, solved=True,
                                       first_attempt_correct=False, hints_shown=2)
    # An answer typed after the reveal is marked as such and is no first-try success.
    assert status["c"].revealed and not status["c"].first_attempt_correct
    assert store.attempts()[-1]["revealed"] is True
    assert store.quiz_status("tensors") == {}


def test_steps_position_and_last_lesson(store):
    assert store.last_lesson() is None and store.position("autograd") is None
    store.complete_step("autograd", 0)
    store.complete_step("autograd", 0)
    store.complete_step("autograd", 2)
    store.set_position("autograd", 3)
    store.set_position("tensors", 1)
    assert store.completed_steps("autograd") == {0, 2}
    assert store.position("autograd") == 3 and store.position("tensors") == 1
    assert store.last_lesson() == "tensors"
    store.record_hint("autograd", "q")
    assert store.last_lesson() == "autograd"
    assert store.position("autograd") == 3


def test_summary_per_lesson(store):
    attempt(store, "a", "1", True)
    attempt(store, "b", "1", False)
    store.record_reveal("autograd", "b")
    store.complete_step("autograd", 1)
    store.set_position("autograd", 2)
    attempt(store, "x", "1", False, lesson="tensors")
    summary = {row["lesson"]: row for row in store.summary()}
    assert set(summary) == {"autograd", "tensors"}
    row = summary["autograd"]
    assert {k: row[k] for k in ("steps_done", "quizzes_solved", "first_try", "attempts", "hints",
                                "reveals", "last_step")} == {
        "steps_done": 1, "quizzes_solved": 1, "first_try": 1, "attempts": 2, "hints": 0,
        "reveals": 1, "last_step": 2}
    assert row["updated"].endswith("Z")


def test_reset_one_lesson_or_all(store):
    attempt(store, "a", "1", True)
    attempt(store, "x", "1", True, lesson="tensors")
    store.complete_step("tensors", 0)
    store.reset("tensors")
    assert [r["lesson"] for r in store.summary()] == ["autograd"]
    assert store.completed_steps("tensors") == set() and store.position("tensors") is None
    store.reset()
    assert store.summary() == [] and store.attempts() == [] and store.last_lesson() is None


def test_progress_survives_reopening(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path) as store:
        attempt(store, "a", "1", True)
        store.set_position("autograd", 4)
    with ProgressStore(path) as store:
        assert store.position("autograd") == 4 and len(store.attempts()) == 1
        assert store.problem is None


def test_new_directory_and_files_are_private(tmp_path):
    path = tmp_path / "a" / "b" / "progress.sqlite3"
    with ProgressStore(path) as store:
        attempt(store, "a", "1", True)
        assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
        for name in ("progress.sqlite3", "progress.sqlite3-wal", "progress.sqlite3-shm"):
            assert mode(path.parent / name) == 0o600, name


def test_existing_loose_file_is_tightened(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path):
        pass
    path.chmod(0o644)
    with ProgressStore(path):
        assert mode(path) == 0o600


def test_garbage_file_is_moved_aside_and_a_new_store_started(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"this is not a database\n" * 200)
    with ProgressStore(path) as store:
        aside = list(tmp_path.glob("progress.sqlite3.damaged-*"))
        assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
        assert store.problem is not None and str(aside[0]) in store.problem
        assert "a new store was started" in store.problem
        assert store.saving
        attempt(store, "a", "1", True)
        assert len(store.attempts()) == 1


def test_corrupted_pages_are_detected(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path) as store:
        for i in range(300):
            attempt(store, f"q{i}", "x" * 200, True)
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[2 * page:len(data)] = b"\xff" * (len(data) - 2 * page)
    path.write_bytes(bytes(data))
    with ProgressStore(path) as store:
        assert store.problem is not None and "moved to" in store.problem
        assert store.attempts() == []
        assert len(list(tmp_path.glob("progress.sqlite3.damaged-*"))) == 1


def test_foreign_sqlite_file_is_moved_aside_not_reused(tmp_path):
    path = tmp_path / "progress.sqlite3"
    foreign = sqlite3.connect(path)
    foreign.execute("CREATE TABLE photos (name TEXT)")
    foreign.execute("INSERT INTO photos VALUES ('cat.jpg')")
    foreign.commit()
    foreign.close()
    with ProgressStore(path) as store:
        assert store.problem is not None and "not a tutor progress file" in store.problem
        assert store.saving
    (aside,) = tmp_path.glob("progress.sqlite3.damaged-*")
    kept = sqlite3.connect(aside)
    assert kept.execute("SELECT name FROM photos").fetchall() == [("cat.jpg",)]
    kept.close()


def test_parent_is_a_regular_file(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the directory should be")
    with ProgressStore(blocker / "progress.sqlite3") as store:
        assert not store.saving
        assert store.problem is not None and "not being saved" in store.problem
        attempt(store, "a", "1", True)
        store.record_hint("autograd", "a")
        store.complete_step("autograd", 0)
        store.set_position("autograd", 1)
        store.reset()
        assert store.attempts() == [] and store.summary() == []
        assert store.position("autograd") is None and store.last_lesson() is None
        assert store.quiz_status("autograd") == {} and store.completed_steps("autograd") == set()


def test_full_disk_stops_saving_keeps_reading_and_recovers(tmp_path):
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        attempt(store, "a", "1", True)
        assert store._conn is not None
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        # A real SQLITE_FULL, which writing as root cannot otherwise provoke.
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        attempt(store, "b", "y", True, lesson="y" * 20_000)  # answers are cut; lesson ids not
        assert not store.saving
        assert store.problem is not None and "full" in store.problem
        assert [r["quiz"] for r in store.attempts()] == ["a"]
        store._conn.execute("PRAGMA max_page_count = 1000000")
        attempt(store, "c", "1", True)
        assert store.saving and store.problem is None
        assert [r["quiz"] for r in store.attempts()] == ["a", "c"]


def test_io_error_while_opening_is_reported(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path) as store:
        attempt(store, "a", "1", True)

    def broken(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(opening, "migrate", broken)
    with ProgressStore(path) as store:
        assert not store.saving
        assert store.problem is not None and "disk I/O error" in store.problem
        # Opened read-only: what was saved is still shown, nothing is moved aside.
        assert [r["quiz"] for r in store.attempts()] == ["a"]
        attempt(store, "b", "1", True)
    assert not list(tmp_path.glob("*.damaged-*"))


def test_file_from_a_newer_tutor_is_left_alone(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path) as store:
        attempt(store, "a", "1", True)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with ProgressStore(path) as store:
        assert not store.saving
        assert store.problem is not None and "newer version" in store.problem
        assert len(store.attempts()) == 1
    assert not list(tmp_path.glob("*.damaged-*"))


def test_migration_from_version_1_keeps_attempts(tmp_path):
    path = tmp_path / "progress.sqlite3"
    old = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        old.execute(statement)
    old.execute("""INSERT INTO attempts (lesson, quiz, answer, correct, message, device,
                   torch_version, at) VALUES ('autograd', 'w', '1', 1, 'ok', 'cpu', '2.2', 'T')""")
    old.execute("INSERT INTO steps VALUES ('autograd', 0, 'T')")
    old.execute("INSERT INTO lessons VALUES ('autograd', 2, 1, 'T')")
    old.execute("PRAGMA user_version = 1")
    old.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    old.commit()
    old.close()
    with ProgressStore(path) as store:
        assert store.problem is None and store.saving
        assert store.attempts()[0]["revealed"] is False
        assert store.position("autograd") == 2 and store.completed_steps("autograd") == {0}
        store.record_hint("autograd", "w")
        assert store.quiz_status("autograd")["w"].hints_shown == 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
