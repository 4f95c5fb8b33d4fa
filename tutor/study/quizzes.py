"""Grading rules as the session applies them: what counts as an attempt, and each quiz type's
verdict. The rules belong to `tutor.grading` (docs/grading.md); this is the one place the session
calls them from."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from tutor.course import Quiz
from tutor.grading import QuizAttempts, Verdict, answer_key, grade_code, grade_quiz
from tutor.grading.constraints import parse_constraints
from tutor.i18n import N_, _

#: Said after a verdict that was not counted, unless its message says so already.
NO_ATTEMPT = N_("Not counted as an attempt.")
REPEATED = N_("The same answer as before: counted once.")


def record(state: QuizAttempts, text: str, verdict: Verdict) -> tuple[bool, str]:
    """Count `verdict` on `state` (QuizAttempts knows the rules): whether it counted (and so is
    to be saved), and what to say after a verdict that did not."""
    if state.record(verdict, text):
        return True, ""
    if not verdict.counted:
        # Some messages say so themselves ("...does not count as an attempt").
        # TRANSLATORS: the word for "attempt" that every "not counted as an attempt" message uses.
        said = _("attempt").casefold() in verdict.message.casefold()
        return False, "" if said else _(NO_ATTEMPT)
    return False, _(REPEATED)



def remember_wrong(state: QuizAttempts, quiz: Quiz, answers: Iterable[str], expected: object
                   ) -> None:
    """Wrong answers saved by earlier sessions count as given: repeating one counts once.

    Typed answers are graded again to find the value they meant (`1` and `a` are one choice);
    code and task answers are compared as text.
    """
    for text in answers:
        verdict = Verdict.wrong("")
        if quiz.type not in ("code", "task"):
            verdict = grade_quiz(quiz, text, expected)
        key = answer_key(verdict, text)
        if verdict.counted and not verdict.correct and key is not None:
            state.wrong_answers.add(key)


def code_verdict(quiz: Quiz, text: str, evaluated: Mapping[str, Any] | None, expected: object,
                 memory_limit_mib: int | None) -> Verdict:
    """A code answer's verdict from the runner's reply to evaluating it (None: not run)."""
    return grade_code(text, evaluated, expected, tolerance=quiz.tolerance, shown=quiz.shown,
                      memory_limit_mib=memory_limit_mib, constraints=quiz.constraints)


async def evaluate_code(quiz: Quiz, expression: str,
                        evaluate: Callable[[str], Awaitable[Mapping[str, Any]]]
                        ) -> Mapping[str, Any]:
    """The runner's reply to a code quiz's `expression` (its answer, or a learner's): with
    `constraints: {vary: ...}` one evaluation per setting, the values in one list (the first
    failure, if any, with the index of its setting); else the one reply."""
    expressions = parse_constraints(quiz.constraints).expressions(expression)
    if len(expressions) == 1:
        return await evaluate(expression)
    values = []
    for setting, each in enumerate(expressions):
        reply = await evaluate(each)
        if reply.get("error"):
            return {**reply, "setting": setting}  # the verdict names the setting that failed
        values.append(reply.get("value"))
    return {"ok": True, "value": values, "error": None}
