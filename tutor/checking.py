"""Headless check of lessons: run every cell in order and evaluate every quiz answer.

Used by `tutor check` (a teacher's CI) and by the test-suite; returns the plain data of
docs/architecture.md ("Command line").
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from tutor.course import Course, Lesson, Quiz
from tutor.course.catalog import declared_id
from tutor.grading.choices import in_quiz_language
from tutor.i18n import _
from tutor.runner import wire
from tutor.runner.state import RunnerError
from tutor.study.quizzes import evaluate_code


class Executor(Protocol):
    """The part of the runner client that checking needs."""

    async def reset(self, namespace: str) -> None: ...

    async def execute(self, namespace: str, code: str, *, timeout: float | None = None,
                      filename: str = "<cell>") -> wire.ExecuteResult: ...

    async def evaluate(self, namespace: str, expression: str, *, fresh_copy: bool = False,
                       timeout: float | None = None) -> dict[str, Any]: ...

    async def drop(self, namespace: str) -> None: ...


NAMESPACE = "check"
#: Where a task's solution runs: the lesson's cells with the solution as the last one above it.
SOLUTION_NAMESPACE = "check-solution"


async def check_course(runner: Executor, course: Course, only: list[str] | None = None
                       ) -> list[dict[str, Any]]:
    """One result per lesson (and per file that failed to load), in course order."""
    results = []
    wanted = set(only) if only else None
    for lesson in course.lessons:
        if wanted is None or lesson.id in wanted:
            try:
                results.append(await check_lesson(runner, lesson, course))
            except RunnerError as exc:  # the runner gave up: say so for this lesson, go on
                results.append({"id": lesson.id, "title": lesson.title, "file": str(lesson.path),
                                "ok": False, "errors": [{"file": str(lesson.path), "line": 0,
                                                         "message": str(exc)}],
                                "cells": [], "quizzes": []})
    for file, errors in course.broken().items():
        lesson_id = declared_id(Path(file)) or Path(file).stem
        if wanted is None or lesson_id in wanted:
            results.append({"id": lesson_id, "title": None, "file": file, "ok": False,
                            "errors": [e.to_dict() for e in errors], "cells": [],
                            "quizzes": []})
    return results


async def check_lesson(runner: Executor, lesson: Lesson, course: Course) -> dict[str, Any]:
    """Run the cells in a fresh namespace, evaluating each quiz after the cells above it."""
    await runner.reset(NAMESPACE)
    errors = [e.to_dict() for e in course.errors_for(lesson.path)]
    cells: list[dict[str, Any]] = []
    quizzes: list[dict[str, Any]] = []
    pending = sorted(lesson.quizzes, key=lambda q: q.cells_before)
    failed_at: int | None = None

    async def evaluate_ready(ran: int) -> None:
        while pending and pending[0].cells_before <= ran:
            quiz = pending.pop(0)
            if quiz.type == "task":
                quizzes.append(await check_task(runner, lesson, quiz, failed_at))
            else:
                quizzes.append(await check_quiz(runner, lesson, quiz, failed_at))

    await evaluate_ready(0)
    for cell in lesson.cells:
        result = await runner.execute(NAMESPACE, cell.source, timeout=lesson.timeout,
                                      filename=f"{lesson.path.name}:{cell.line + 1}")
        error = result.get("error")
        cells.append({"index": cell.index, "line": cell.line, "ok": error is None,
                      "error": _error(error), "plots": plot_summary(result.get("plots"))})
        if error is not None and failed_at is None:
            failed_at = cell.index
        await evaluate_ready(cell.index + 1)
    ok = not errors and all(c["ok"] for c in cells) and all(q["ok"] for q in quizzes)
    return {"id": lesson.id, "title": lesson.title, "file": str(lesson.path), "ok": ok,
            "errors": errors, "cells": cells, "quizzes": quizzes}


async def check_quiz(runner: Executor, lesson: Lesson, quiz: Quiz, failed_at: int | None
                     ) -> dict[str, Any]:
    """Evaluate one quiz's answer expression and check its value suits the quiz type."""
    entry: dict[str, Any] = {"id": quiz.id, "type": quiz.type, "line": quiz.line, "ok": False,
                             "expected": None, "error": None}
    if quiz.answer is None:  # a text quiz with only its accepted answers
        entry["expected"] = quiz.accept[0] if quiz.accept else None
        problem = quiz_problem(quiz, None)
        if problem:
            entry["error"] = {"kind": "unsuitable", "message": problem}
        entry["ok"] = problem is None
        return entry
    if failed_at is not None:
        entry["error"] = {"kind": "exception",
                          "message": _("not evaluated: cell {number} above it failed").format(
                              number=failed_at + 1)}
        return entry
    answer = quiz.answer
    result = await evaluate_code(quiz, answer, lambda expression: runner.evaluate(
        NAMESPACE, expression, timeout=lesson.timeout))
    if result.get("error"):
        entry["error"] = _error(result["error"])
        return entry
    value = result.get("value")
    entry["expected"] = value
    # A translation's choice quiz is graded in its language (its answer names the English one).
    problem = quiz_problem(quiz, in_quiz_language(value, quiz.choices, quiz.answer_choices))
    if problem is None and quiz.type == "code":
        problem = vary_problem(quiz, value) or await code_answer_problem(runner, lesson, quiz,
                                                                         value)
    if problem:
        entry["error"] = {"kind": "unsuitable", "message": problem}
    else:
        entry["ok"] = True
    return entry


async def code_answer_problem(runner: Executor, lesson: Lesson, quiz: Quiz, value: Any
                              ) -> str | None:
    """The quiz's own answer, typed by a learner, and the same value in the other forms a
    learner may give it (`.item()`, `.tolist()`, `torch.tensor(...)`): each evaluated the way
    a learner's is (in a fresh copy of the reference namespace, on the device in use) and
    graded; why one fails, or None."""
    from tutor.grading import grade_code
    from tutor.grading.constraints import parse_constraints
    from tutor.grading.forms import code_alternative_expressions

    assert quiz.answer is not None
    rules = parse_constraints(quiz.constraints)
    expressions = [quiz.answer]
    if not (rules.vary or rules.value):  # those make the value's form part of the answer
        expressions += code_alternative_expressions(quiz.answer, value)
    for expression in expressions:
        reply = await evaluate_code(quiz, expression, lambda each: runner.evaluate(
            NAMESPACE, each, fresh_copy=True, timeout=lesson.timeout))
        error = reply.get("error") or {}
        if expression != quiz.answer and str(error.get("message", "")).startswith("NameError"):
            continue  # `torch.tensor(...)` in a lesson that never imports torch
        verdict = grade_code(expression, reply, value, tolerance=quiz.tolerance,
                             shown=quiz.shown, constraints=quiz.constraints)
        if not verdict.correct:
            if expression == quiz.answer:
                return _("the quiz's own answer, typed as a learner would, is graded wrong: "
                         "{message}").format(message=verdict.message)
            return _("the same value typed as {form} is graded wrong: {message}").format(
                form=f"`{expression}`", message=verdict.message)
    return None


def vary_problem(quiz: Quiz, value: Any) -> str | None:
    """A `vary` constraint under which the answer never changes proves nothing."""
    from tutor.grading.constraints import parse_constraints

    rules = parse_constraints(quiz.constraints)
    if rules.vary and isinstance(value, list) and len(value) > 1 and all(
            item == value[0] for item in value):
        return _("'vary' changes nothing: the answer gives the same value with {settings}").format(
            settings="; ".join(rules.settings()))
    return None


async def check_task(runner: Executor, lesson: Lesson, quiz: Quiz, failed_at: int | None
                     ) -> dict[str, Any]:
    """A task must fail on the lesson's own cells and pass with its solution in place of the last
    cell above it; `expected` is the value of `show` with the solution (or None)."""
    entry: dict[str, Any] = {"id": quiz.id, "type": quiz.type, "line": quiz.line, "ok": False,
                             "expected": None, "error": None}
    if failed_at is not None:
        entry["error"] = {"kind": "exception",
                          "message": _("not checked: cell {number} above it failed").format(
                              number=failed_at + 1)}
        return entry
    assert quiz.check is not None and quiz.solution is not None  # the parser guarantees both
    condition = f"bool({quiz.check})"
    # An exception here (a name the learner's edit is meant to create) also means "not passed".
    unedited = await runner.evaluate(NAMESPACE, condition, timeout=lesson.timeout)
    if unedited.get("error") is None and unedited.get("value") is True:
        entry["error"] = {"kind": "task", "message": _(
            "the task passes without any change: `{check}` is already true with the lesson's "
            "own code").format(check=quiz.check)}
        return entry
    cells = [cell.source for cell in lesson.cells[:quiz.cells_before]]
    cells[-1] = quiz.solution
    try:
        entry["error"] = await _run_solution(runner, lesson, quiz, cells, condition, entry)
    finally:
        await runner.drop(SOLUTION_NAMESPACE)
    entry["ok"] = entry["error"] is None
    return entry


async def _run_solution(runner: Executor, lesson: Lesson, quiz: Quiz, cells: list[str],
                        condition: str, entry: dict[str, Any]) -> dict[str, Any] | None:
    """Run `cells` (the solution last) and evaluate the check and show; the error, or None."""
    await runner.reset(SOLUTION_NAMESPACE)
    for number, source in enumerate(cells, 1):
        last = number == len(cells)
        what = _("the solution") if last else _("cell {number}").format(number=number)
        label = "the solution" if last else f"cell {number}"
        result = await runner.execute(SOLUTION_NAMESPACE, source, timeout=lesson.timeout,
                                      filename=f"{lesson.path.name}:{quiz.id}:{label}")
        if result.get("error") is not None:
            error = _error(result["error"]) or {}
            return {"kind": error.get("kind", "exception"),
                    "message": _("with the solution, {what} failed: {error}").format(
                        what=what, error=error.get("message", ""))}
    passed = await runner.evaluate(SOLUTION_NAMESPACE, condition, timeout=lesson.timeout)
    if passed.get("error") is not None:
        error = _error(passed["error"]) or {}
        return {"kind": error.get("kind", "exception"),
                "message": _("`{check}` failed with the solution: {error}").format(
                    check=quiz.check, error=error.get("message", ""))}
    if passed.get("value") is not True:
        return {"kind": "task", "message": _("the solution does not pass: `{check}` is false "
                                             "with it").format(check=quiz.check)}
    if quiz.show is not None:
        shown = await runner.evaluate(SOLUTION_NAMESPACE, quiz.show, timeout=lesson.timeout)
        if shown.get("error") is not None:
            error = _error(shown["error"]) or {}
            return {"kind": error.get("kind", "exception"),
                    "message": _("`{show}` failed with the solution: {error}").format(
                        show=quiz.show, error=error.get("message", ""))}
        entry["expected"] = shown.get("value")
    return None


def plot_summary(plots: Any) -> list[dict[str, Any]]:
    """Each figure a cell drew as `{"title", "points"}`, points being its longest series' length
    (what a teacher's CI needs to see that a curve was drawn)."""
    if not isinstance(plots, list):
        return []
    summary = []
    for plot in plots:
        if not isinstance(plot, dict):
            continue
        series = plot.get("series")
        lengths = [len(s.get("values") or []) for s in series or [] if isinstance(s, dict)]
        summary.append({"title": str(plot.get("title") or ""), "points": max(lengths, default=0)})
    return summary


def quiz_problem(quiz: Quiz, value: Any) -> str | None:
    """Why the computed value cannot serve this quiz, or which right form of it the grader
    refuses (docs/grading.md); None when every form is accepted. The grader decides both."""
    from tutor.grading.forms import refused_forms

    try:
        refused = refused_forms(quiz.type, value, tolerance=quiz.tolerance,
                                choices=quiz.choices, accept=quiz.accept, shown=quiz.shown,
                                ask=quiz.ask)
    except ValueError as exc:
        return _("the quiz cannot be graded: {error}").format(error=exc)
    if not refused:
        return None
    forms = ", ".join(repr(form) for form, _verdict in refused[:3])
    return _("the computed answer typed as {forms} is not accepted: {message}").format(
        forms=forms, message=refused[0][1].message)


def _error(error: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if error is None:
        return None
    return {"kind": error.get("kind", "exception"), "message": error.get("message", "")}
