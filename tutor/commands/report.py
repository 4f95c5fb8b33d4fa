"""`tutor report --class DIR`: the class's progress for the record (table, JSON or CSV).

One row per student and lesson (a student with no progress yet has one row without a lesson);
`--attempts`: one row per attempt. The same figures as the teacher's live view.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from tutor.i18n import _
from tutor.text import csv_cell, printable

LESSON_FIELDS = ("steps_done", "quizzes_solved", "first_try", "attempts", "hints", "reveals",
                 "last_step", "updated")
ROW_FIELDS = ("student", "connected", "current_lesson", "current_step", "stuck", "pss_mib",
              "cpu_percent", "lesson", *LESSON_FIELDS)
ATTEMPT_FIELDS = ("student", "time", "lesson", "quiz", "answer", "correct", "revealed", "message",
                  "device", "torch_version")


def register(subparsers: Any) -> None:
    sub = subparsers.add_parser("report",
                                help=_("a class's progress (tutor serve), for the record"))
    sub.add_argument("--class", dest="class_dir", type=Path, required=True, metavar=_("DIR"),
                     help=_("the class directory (students file, host key, students' progress)"))
    form = sub.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help=_("print one JSON object"))
    form.add_argument("--csv", action="store_true", help=_("print CSV"))
    sub.add_argument("--attempts", action="store_true", help=_("one row per attempt"))
    sub.set_defaults(func=run)


def lesson_rows(students: list[Any]) -> list[dict[str, Any]]:
    """One row per student and lesson."""
    rows = []
    for student in students:
        common = {"student": student.student, "connected": student.connected,
                  "current_lesson": student.lesson, "current_step": student.step,
                  "stuck": student.stuck, "pss_mib": student.pss_mib,
                  "cpu_percent": student.cpu_percent}
        for lesson in student.lessons or [{}]:
            rows.append({**common, "lesson": lesson.get("lesson"),
                         **{name: lesson.get(name) for name in LESSON_FIELDS}})
    return rows


def run(args: argparse.Namespace) -> int:
    from tutor.serve.classdir import ClassDir
    from tutor.serve.report import attempt_rows, class_rows

    classdir = ClassDir(args.class_dir)
    if not classdir.root.is_dir():
        print(_("tutor report: no class directory {path}").format(path=classdir.root),
              file=sys.stderr)
        return 2
    fields: tuple[str, ...]
    if args.attempts:
        rows, fields = attempt_rows(classdir), ATTEMPT_FIELDS
    else:
        rows, fields = lesson_rows(class_rows(classdir)), ROW_FIELDS
    if args.json:
        key = "attempts" if args.attempts else "rows"
        print(json.dumps({"class": str(classdir.root), key: rows}, indent=2))
    elif args.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(fields), extrasaction="ignore")
        writer.writeheader()
        writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
    else:
        print_table(rows, fields)
    return 0


def print_table(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> None:
    """A table for people (text from students escaped)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(*fields)
    for row in rows:
        table.add_row(*(Text(printable("" if row.get(name) is None else str(row.get(name))))
                        for name in fields))
    Console().print(table)
