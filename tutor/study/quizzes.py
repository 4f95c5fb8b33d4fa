"""Grading rules as the session applies them: what counts as an attempt, and task verdicts.

The rules themselves belong to `tutor.grading` (docs/grading.md); this module is the one place
the session calls them from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tutor.course import Quiz
from tutor.grading import QuizAttempts, Verdict, compare_values, grade
from tutor.text import printable, shorten

#: How much of a task's `show` value a verdict quotes.
SHOWN_CHARS = 80


def restored_attempts(quiz_id: str, status: Mapping[str, Any] | None) -> QuizAttempts:
    """A quiz's attempts as the progress store last saw them."""
    if not status:
        return QuizAttempts(quiz_id=quiz_id)
    return QuizAttempts(
        quiz_id=quiz_id,
        attempts=int(status.get("attempts", 0)),
        hints_shown=int(status.get("hints", 0)),
        revealed=bool(status.get("revealed")),
        solved=bool(status.get("solved")),
        first_attempt_correct=bool(status.get("first_try")) if status.get("attempts") else None,
    )


def counts(verdict: Verdict) -> bool:
    """Whether a verdict is an attempt at all (an unreadable answer, say, is not)."""
    counted = getattr(verdict, "counted", None)
    return bool(counted) if counted is not None else verdict.kind != "unparseable"


#: Why an answer was not counted as an attempt, shown after its verdict.
NO_ATTEMPT = "Not counted as an attempt."
REPEATED = "The same answer as before: counted once."


def record(state: QuizAttempts, wrong_before: set[str], text: str, verdict: Verdict) -> str:
    """Count `verdict` on `state` unless it is no attempt or repeats a wrong answer already
    counted (`wrong_before`, updated here). "" when it was counted (and so is to be saved),
    else why not."""
    if not counts(verdict):
        return NO_ATTEMPT
    if not verdict.correct:
        key = answer_key(text)
        if key in wrong_before:
            return REPEATED
        wrong_before.add(key)
    state.record(verdict)
    return ""


def answer_key(text: str) -> str:
    """A wrong answer as compared with earlier ones: case and spacing do not make it new."""
    return " ".join(text.split()).casefold()


def expected_verdict(
    quiz: Quiz, text: str, expected: object, evaluated: Mapping[str, Any] | None = None
) -> Verdict:
    """A typed answer, or a code answer's evaluated value (`evaluated`), against `expected`."""
    if quiz.type != "code":
        return grade(quiz.type, text, expected, tolerance=quiz.tolerance,
                     choices=list(quiz.choices), accept=list(quiz.accept))
    assert evaluated is not None
    if not evaluated["ok"]:
        error = evaluated["error"]
        message = f"Your expression failed: {error['message']}"
        if error.get("kind") == "exception" and error["message"].startswith(
                ("NameError", "AttributeError", "SyntaxError")):
            return Verdict.unparseable(message)
        return Verdict.wrong(message)
    return compare_values(evaluated["value"], expected, quiz.tolerance)


def task_verdict(
    check: str, show: str | None, checked: Mapping[str, Any], shown: Mapping[str, Any] | None
) -> Verdict:
    """A task's verdict from its `check` (and `show`) evaluated in the learner's namespace.

    A check that cannot be evaluated (a cell fails first, a name is gone) is "not yet", not an
    attempt.
    """
    if not checked["ok"]:
        message = printable(str(checked["error"]["message"]))
        return Verdict.unparseable(f"Not yet: the check `{check}` could not be evaluated "
                                   f"({shorten(message, 200)}).")
    value = ""
    if show and shown is not None:
        value = (shorten(printable(str(shown["repr"])), SHOWN_CHARS) if shown["ok"]
                 else f"not computable ({shorten(printable(shown['error']['message']), 120)})")
    if checked["value"] is True:
        return Verdict.right(f"Done: your `{show}` is {value}." if show else "Done.")
    mine = f"Your `{show}` is {value}; the" if show else "The"
    return Verdict.wrong(f"{mine} check `{check}` is not met yet.")
