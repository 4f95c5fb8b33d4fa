"""`tutor progress`: the learner's progress as a table, JSON or CSV, and erasing it."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any

from rich.text import Text

from tutor.commands.options import add_global_options
from tutor.i18n import _
from tutor.progress import ProgressStore
from tutor.text import csv_cell, printable

#: Columns of `tutor progress --csv`, one row per attempt.
CSV_COLUMNS = (
    "time", "lesson", "quiz", "answer", "correct", "revealed", "message", "device",
    "torch_version",
)


def register(subparsers: Any) -> None:
    sub = subparsers.add_parser("progress", help=_("show or erase your progress"))
    output = sub.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help=_("print one JSON object"))
    output.add_argument("--csv", action="store_true", help=_("print one CSV row per attempt"))
    output.add_argument(
        "--reset", nargs="?", const=True, default=None, metavar=_("LESSON"),
        help=_("erase the progress of LESSON, or of every lesson"),
    )
    sub.add_argument("--yes", action="store_true", help=_("erase without asking"))
    add_global_options(sub, suppress=True)
    sub.set_defaults(func=run)


def _course_lessons(args: argparse.Namespace) -> list[Any]:
    """The course's lessons in order, or none when the course cannot be loaded."""
    try:
        from tutor.course import load_course

        course = load_course(getattr(args, "lessons", None), getattr(args, "lang", None))
        return list(course.lessons)
    except Exception:
        return []


def lesson_rows(store: ProgressStore, course: list[Any]) -> list[dict[str, Any]]:
    """Course lessons in order with their totals, then lessons known only to the store."""
    recorded = {row["lesson"]: row for row in store.summary()}
    empty = {
        "steps_done": 0, "quizzes_solved": 0, "first_try": 0, "attempts": 0, "hints": 0,
        "reveals": 0, "last_step": None, "updated": None,
    }
    rows = []
    for lesson in course:
        steps = len(lesson.steps)
        done = {s for s in store.completed_steps(lesson.id) if 0 <= s < steps}
        rows.append({
            "lesson": lesson.id, "title": lesson.title,
            **{**empty, **recorded.pop(lesson.id, {})}, "steps_done": len(done),
            "steps_total": steps, "quizzes_total": len(lesson.quizzes),
        })
    for lesson_id in sorted(recorded):
        rows.append({"lesson": lesson_id, "title": lesson_id, **recorded[lesson_id],
                     "steps_total": None, "quizzes_total": None})
    return rows


def _of(done: int, total: int | None) -> str:
    return f"{done}/{total}" if total is not None else str(done)


def print_table(store: ProgressStore, rows: list[dict[str, Any]]) -> None:
    """A table: one line per lesson (plain text when not on a terminal)."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False)
    console.print(_("Progress saved in {path}").format(path=store.path), markup=False)
    if not rows:
        console.print(_("No progress recorded yet."))
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    headers = (_("Steps"), _("First try"), _("Attempts"), _("Hints"), _("Reveals"))
    # The numbers' columns are as wide as their headers (or "12/12"), padded one each side.
    numbers_width = sum(max(len(header), 5) + 2 for header in headers)
    table.add_column(_("Lesson"), overflow="ellipsis", no_wrap=True,
                     max_width=max(12, console.width - numbers_width - 2))
    for header in headers:
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header))

    for row in rows:
        table.add_row(
            Text(printable(row["title"])), _of(row["steps_done"], row["steps_total"]),
            _of(row["first_try"], row["quizzes_total"]), str(row["attempts"]),
            str(row["hints"]), str(row["reveals"]))
    console.print()
    console.print(table)
    last = store.last_lesson()
    if last is not None:
        title = next((row["title"] for row in rows if row["lesson"] == last), last)
        step = store.position(last)
        if step is not None:
            line = _("Last lesson: {title}, step {step}").format(title=printable(title),
                                                                 step=step + 1)
        else:
            line = _("Last lesson: {title}").format(title=printable(title))
        console.print(Text("\n" + line))


def print_csv(store: ProgressStore) -> None:
    """Every attempt, oldest first, with a header row."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for attempt in store.attempts():
        writer.writerow([csv_cell(attempt[c]) for c in CSV_COLUMNS])


def reset(store: ProgressStore, lesson: str | None, yes: bool) -> int:
    """Erase progress after confirmation; refuse when nobody can confirm."""
    what = _("the progress of lesson {lesson}").format(lesson=lesson) if lesson else \
        _("all your progress")
    if lesson is not None and lesson not in {row["lesson"] for row in store.summary()}:
        print(_("No progress recorded for lesson {lesson}; nothing to erase.").format(
            lesson=lesson))
        return 0
    if not yes:
        if not sys.stdin.isatty():
            print(_("tutor progress: not erasing {what} without confirmation; add --yes to "
                    "erase it.").format(what=what), file=sys.stderr)
            return 1
        try:
            # TRANSLATORS: keep [y/N]; the answers "y" and "yes" are accepted in every language.
            answer = input(_("Erase {what}? This cannot be undone. [y/N] ").format(what=what))
        except EOFError:
            answer = ""
        # TRANSLATORS: short and long "yes" a learner may type to confirm (besides y and yes).
        yes_words = {"y", "yes", *_("y|yes").casefold().split("|")}
        if answer.strip().casefold() not in yes_words:
            print(_("Nothing erased."))
            return 1
    store.reset(lesson)
    if not store.saving:
        print(f"tutor progress: {store.problem}", file=sys.stderr)
        return 1
    print(_("Erased {what}.").format(what=what))

    return 0


def run(args: argparse.Namespace) -> int:
    with ProgressStore() as store:
        if args.reset is not None:
            return reset(store, None if args.reset is True else args.reset, args.yes)
        if args.csv:
            print_csv(store)
        else:
            rows = lesson_rows(store, _course_lessons(args))
            if args.json:
                print(json.dumps({
                    "path": str(store.path), "saving": store.saving, "problem": store.problem,
                    "last_lesson": store.last_lesson(), "lessons": rows,
                }, indent=2))
                return 0
            print_table(store, rows)
        if store.problem:
            print(f"tutor progress: {store.problem}", file=sys.stderr)
    return 0
