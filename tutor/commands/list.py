"""`tutor list`: the lessons found, with their steps and quizzes, and any lesson-file errors."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tutor.commands.options import add_global_options
from tutor.course import Course, Lesson, load_course
from tutor.i18n import _


def register(subparsers: Any) -> None:
    sub = subparsers.add_parser("list", help=_("list the lessons, their steps and quizzes"))
    sub.add_argument("--json", action="store_true", help=_("print one JSON object"))
    add_global_options(sub, suppress=True)
    sub.set_defaults(func=run)


def lesson_dict(lesson: Lesson) -> dict[str, Any]:
    """A lesson as plain data: what `tutor list --json` prints for it."""
    return {
        "id": lesson.id,
        "title": lesson.title,
        "order": lesson.order,
        "summary": lesson.summary,
        "file": str(lesson.path),
        "lang": lesson.lang,
        "steps": [
            {
                "index": step.index,
                "title": step.title,
                "cells": len(step.cells),
                "quizzes": [q.id for q in step.quizzes],
            }
            for step in lesson.steps
        ],
        "quizzes": [{"id": q.id, "type": q.type, "ask": q.ask} for q in lesson.quizzes],
    }


def course_dict(course: Course) -> dict[str, Any]:
    return {
        "directory": str(course.directory),
        "lessons": [lesson_dict(lesson) for lesson in course.lessons],
        "errors": [e.to_dict() for e in course.errors],
    }


def run(args: argparse.Namespace) -> int:
    course = load_course(args.lessons, args.lang)
    if args.json:
        print(json.dumps(course_dict(course), indent=2))
    else:
        for lesson in course.lessons:
            quizzes = len(lesson.quizzes)
            print(f"{lesson.order:>2}  {lesson.id:<16} {lesson.title}")
            print("    " + _("{steps} steps, {cells} cells, {quizzes} quizzes").format(
                steps=len(lesson.steps), cells=len(lesson.cells), quizzes=quizzes)
                + f"  ({lesson.path})")
            for step in lesson.steps:
                marks = ", ".join(q.id for q in step.quizzes)
                print(f"      {step.index + 1}. {step.title}" + (f"  [{marks}]" if marks else ""))
        if not course.lessons:
            print(_("no lessons found in {folder}").format(folder=course.directory))

    for error in course.errors:
        print(error, file=sys.stderr)
    return 1 if course.errors or not course.lessons else 0
