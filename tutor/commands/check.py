"""`tutor check`: run every cell and evaluate every quiz headless; exit 1 on any failure."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from tutor.commands.options import add_global_options
from tutor.course import Course, load_course
from tutor.course.catalog import declared_id
from tutor.i18n import _
from tutor.text import printable


def register(subparsers: Any) -> None:
    sub = subparsers.add_parser("check", help=_("run every cell and quiz answer headless"))
    sub.add_argument("lesson_ids", nargs="*", metavar=_("LESSON"), help=_("only these lessons"))
    sub.add_argument("--json", action="store_true", help=_("print one JSON object"))
    add_global_options(sub, suppress=True)
    sub.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    course = load_course(args.lessons, args.lang)
    problem = _no_lessons(course)
    if problem:
        if args.json:
            print(json.dumps({"device": None, "torch": None, "lessons": [], "error": problem},
                             indent=2))
        print(f"tutor check: {problem}", file=sys.stderr)
        return 1
    if args.lang != "en" and not args.json:
        print(_("checking the {language} translations: each must match its English lesson, "
                "and every quiz is graded in its translated form").format(language=args.lang))
    broken_ids = {declared_id(Path(f)) or Path(f).stem for f in course.broken()}
    unknown = [i for i in args.lesson_ids if course.lesson(i) is None and i not in broken_ids]
    if unknown:
        known = ", ".join(lesson.id for lesson in course.lessons) or _("none")
        print(_("tutor check: no lesson {ids} (lessons: {known})").format(
            ids=", ".join(unknown), known=known), file=sys.stderr)
        return 2
    report = asyncio.run(_check(course, args.lesson_ids, args.device))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_human(report)
    failed = report.get("error") or not report["lessons"] or not all(
        lesson["ok"] for lesson in report["lessons"])
    return 1 if failed else 0


def _no_lessons(course: Course) -> str | None:
    """Why there is nothing to check: a missing folder, or one without lesson files."""
    folder = course.directory
    if folder is not None and not folder.is_dir():
        return _("no lesson folder at {folder}").format(folder=folder)
    if not course.lessons and not course.broken():
        return _("no lessons found in {folder} (lesson files are *.md files directly inside "
                 "it)").format(folder=folder)
    return None


async def _check(course: Any, only: list[str], device: str) -> dict[str, Any]:
    from tutor.checking import check_course
    from tutor.runner.client import Runner

    runner = Runner(device=device)
    try:
        await runner.start()
    except Exception as exc:  # a bad --device or a runner that cannot start: one clear line
        await runner.close()
        return {"device": device, "torch": None, "lessons": [], "error": str(exc)}
    try:
        lessons = await check_course(runner, course, only or None)
    finally:
        await runner.close()
    info = runner.device_info
    return {"device": info.get("device"), "torch": info.get("torch"), "lessons": lessons}


def _print_human(report: dict[str, Any]) -> None:
    if report.get("error"):
        print(printable(f"tutor check: {report['error']}"), file=sys.stderr)
        return
    print(printable(_("device {device} · torch {torch}").format(device=report["device"],
                                                                torch=report["torch"])))
    for lesson in report["lessons"]:
        # TRANSLATORS: the marks of a lesson that passed and one that failed, in tutor check.
        mark = _("ok") if lesson["ok"] else _("FAIL")
        counts = {"cells": f"{sum(c['ok'] for c in lesson['cells'])}/{len(lesson['cells'])}",
                  "quizzes": f"{sum(q['ok'] for q in lesson['quizzes'])}/"
                             f"{len(lesson['quizzes'])}",
                  "plots": sum(len(c.get("plots", [])) for c in lesson["cells"])}
        line = _("cells {cells}, quizzes {quizzes}, plots {plots}") if counts["plots"] else \
            _("cells {cells}, quizzes {quizzes}")
        print(printable(f"{mark:<4} {lesson['id']:<16} {line.format(**counts)}"))
        for error in lesson["errors"]:
            where = f"{error['file']}:{error['line']}" if error["line"] else error["file"]
            print(printable(f"     {where}: {error['message']}"))
        for cell in lesson["cells"]:
            if not cell["ok"]:
                print(printable(f"     {lesson['file']}:{cell['line']}: " + _(
                    "cell {number}").format(number=cell["index"] + 1)
                    + f": {cell['error']['kind']}: {cell['error']['message']}"))
        for quiz in lesson["quizzes"]:
            if not quiz["ok"] and quiz["error"]:
                print(printable(f"     {lesson['file']}:{quiz['line']}: " + _("quiz {id}").format(
                    id=quiz["id"]) + f": {quiz['error']['message']}"))
