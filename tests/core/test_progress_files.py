"""The progress file in trouble: read-only places, an emptied file, odd answers, private folders."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.course import load_course
from tutor.progress import ProgressStore
from tutor.progress.store import MAX_STORED_ANSWER

LESSON = "---\nid: one\ntitle: One\norder: 1\n---\n\nText.\n"

READER = """
import json, sys
from tutor.progress import ProgressStore
store = ProgressStore(__import__("pathlib").Path(sys.argv[1]))
store.record_attempt("l", "q2", "2", True, "m", device="cpu", torch_version="t")
print(json.dumps({"saving": store.saving, "problem": store.problem,
                  "status": {quiz: [q.attempts, q.solved, q.first_attempt_correct, q.hints_shown,
                                    q.revealed] for quiz, q in store.quiz_status("l").items()},
                  "position": store.position("l")}))
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def saved_store(folder: Path) -> Path:
    path = folder / "progress.sqlite3"
    with ProgressStore(path) as store:
        store.record_attempt("l", "q1", "1", True, "m", device="cpu", torch_version="t")
        store.set_position("l", 3)
    return path


def open_without_write_access(path: Path) -> dict[str, object]:
    """Open the store in a process that may read its folder but not write it: the folder made
    read-only, or (as root, for whom permissions do not apply) a read-only bind mount of it."""
    folder = str(path.parent)
    command = [sys.executable, "-c", READER, str(path)]
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("needs unshare to make a read-only file system as root")
        mount = (f"mount --bind {shlex.quote(folder)} {shlex.quote(folder)} && "
                 f"mount -o remount,ro,bind {shlex.quote(folder)} || exit 99; ")
        command = ["unshare", "-m", "sh", "-c", mount + shlex.join(command)]
    else:
        path.parent.chmod(0o555)
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    finally:
        path.parent.chmod(0o755)
    if proc.returncode == 99 or "unshare failed" in proc.stderr:
        pytest.skip(f"cannot make a read-only file system here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_read_only_folder_shows_saved_progress_and_says_it_cannot_save(tmp_path):
    folder = tmp_path / "home"
    folder.mkdir()
    path = saved_store(folder)
    seen = open_without_write_access(path)
    assert seen["saving"] is False
    assert "not being saved" in str(seen["problem"]) and str(path) in str(seen["problem"])
    assert seen["position"] == 3
    # attempts, solved, first try, hints, revealed
    assert seen["status"] == {"q1": [1, True, True, 0, False]}


def test_file_truncated_to_nothing_is_reported_and_kept(tmp_path):
    path = saved_store(tmp_path)
    path.write_bytes(b"")
    with ProgressStore(path) as store:
        assert store.problem is not None and "0 bytes" in store.problem
        assert "moved to" in store.problem and store.saving
        assert store.position("l") is None
    (aside,) = tmp_path.glob("progress.sqlite3.damaged-*")
    assert aside.stat().st_size == 0


def test_a_new_store_is_never_an_empty_file(tmp_path):
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        assert store.problem is None
    assert (tmp_path / "progress.sqlite3").stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.sqlite3"]


def test_an_answer_with_a_lone_surrogate_is_stored_escaped(tmp_path):
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        store.record_attempt("l", "q", "x\udc80y", False, "m", device="cpu", torch_version="t")
        assert store.saving and store.problem is None
        assert store.attempts()[0]["answer"] == "x\\udc80y"


def test_long_code_answers_are_stored_cut(tmp_path):
    answer = "x + " * 10_000 + "1"
    with ProgressStore(tmp_path / "progress.sqlite3") as store:
        store.record_attempt("l", "q", answer, False, "m", device="cpu", torch_version="t")
        stored = store.attempts()[0]["answer"]
    assert len(stored) == MAX_STORED_ANSWER and stored.endswith("…")
    assert answer.startswith(stored[:-1])


def test_tutor_home_made_by_the_course_cache_is_private(tmp_path, monkeypatch):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "one.md").write_text(LESSON, encoding="utf-8")
    home = tmp_path / "new" / "home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    old = os.umask(0o022)
    try:
        course = load_course(lessons)
    finally:
        os.umask(old)
    assert [lesson.id for lesson in course.lessons] == ["one"]
    assert list((home / "cache").iterdir())  # the cache was written there
    assert mode(home) == 0o700 and mode(home / "cache") == 0o700
    assert mode(home.parent) == 0o700
