"""The class at a glance, from the class directory alone: each student's progress and session.

Read by the teacher's view (live) and `tutor report` (for the record). Progress comes from each
student's own store (DIR/home/NAME/progress.sqlite3), sessions from DIR/run/sessions.json.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from tutor.i18n import _
from tutor.progress import ProgressStore
from tutor.progress.paths import FILE_NAME
from tutor.serve.classdir import ClassDir

#: Wrong attempts at one quiz, neither solved nor revealed, that make a student stuck on it.
STUCK_ATTEMPTS = 3
#: Seconds without progress, while connected, that make a student stuck.
STUCK_IDLE_S = 300


@dataclass
class StudentRow:
    """One student, as the teacher's table shows them."""

    student: str
    connected: bool
    lesson: str | None = None
    step: int | None = None
    solved: int = 0
    attempted: int = 0
    revealed: int = 0
    stuck: str = ""
    pss_mib: float = 0.0
    rss_mib: float = 0.0
    cpu_percent: float = 0.0
    last_activity: str | None = None
    lessons: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for --json)."""
        return asdict(self)


def _age_s(stamp: str | None, now: datetime) -> float | None:
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (now - when).total_seconds()


def stuck_on(store: ProgressStore, lesson: str | None) -> str:
    """The quiz a student is stuck on (3+ wrong attempts, unsolved, unrevealed), or ''."""
    wrong: dict[tuple[str, str], int] = {}
    done: set[tuple[str, str]] = set()
    for attempt in store.attempts():
        key = (attempt["lesson"], attempt["quiz"])
        if attempt["correct"] or attempt["revealed"]:
            done.add(key)
        else:
            wrong[key] = wrong.get(key, 0) + 1
    stuck = [key for key, count in wrong.items() if count >= STUCK_ATTEMPTS and key not in done]
    stuck.sort(key=lambda key: key[0] != lesson)  # the current lesson's first
    if not stuck:
        return ""
    return _("{lesson}/{quiz} ({count} wrong)").format(lesson=stuck[0][0], quiz=stuck[0][1],
                                                       count=wrong[stuck[0]])


def student_row(classdir: ClassDir, name: str, sessions: list[dict[str, Any]],
                now: datetime | None = None) -> StudentRow:
    """One student's row: progress from their store, session figures from the server's file."""
    now = now or datetime.now(timezone.utc)
    mine = [s for s in sessions if s.get("student") == name]
    row = StudentRow(name, connected=bool(mine))
    row.pss_mib = round(sum(float(s.get("pss_mib", 0)) for s in mine), 1)
    row.rss_mib = round(sum(float(s.get("rss_mib", 0)) for s in mine), 1)
    row.cpu_percent = round(sum(float(s.get("cpu_percent", 0)) for s in mine), 1)
    path = classdir.homes / name / FILE_NAME
    if not path.exists():
        return row
    store = ProgressStore(path)
    try:
        row.lessons = store.summary()
        row.lesson = store.last_lesson()
        row.step = store.position(row.lesson) if row.lesson else None
        for lesson in row.lessons:
            statuses = store.quiz_status(lesson["lesson"]).values()
            row.solved += sum(1 for q in statuses if q.solved)
            row.attempted += sum(1 for q in statuses if q.attempts)
            row.revealed += sum(1 for q in statuses if q.revealed)
        attempts = store.attempts()
        stamps = [lesson["updated"] for lesson in row.lessons if lesson["updated"]]
        stamps += [attempts[-1]["time"]] if attempts else []
        row.last_activity = max(stamps) if stamps else None
        row.stuck = stuck_on(store, row.lesson)
        idle = _age_s(row.last_activity, now)
        if not row.stuck and row.connected and idle is not None and idle >= STUCK_IDLE_S:
            row.stuck = _("no progress for {minutes} min").format(minutes=int(idle // 60))
    finally:
        store.close()
    return row


def class_rows(classdir: ClassDir, now: datetime | None = None) -> list[StudentRow]:
    """Every student of the class (listed or with progress), connected or not."""
    sessions = classdir.sessions()
    names = set(classdir.names()) | {str(s.get("student")) for s in sessions}
    return [student_row(classdir, name, sessions, now) for name in sorted(names)]


def attempt_rows(classdir: ClassDir) -> list[dict[str, Any]]:
    """Every attempt of every student, one row each, with the student's name first."""
    rows = []
    for name in classdir.names():
        path = classdir.homes / name / FILE_NAME
        if not path.exists():
            continue
        store = ProgressStore(path)
        try:
            rows += [{"student": name, **attempt} for attempt in store.attempts()]
        finally:
            store.close()
    return rows
