"""Grading: parse learners' typed answers (never eval) and judge them against computed values.

Plain Python: importing this package never imports torch or Textual. Its names are loaded when
first used (PEP 562), so `tutor.grading.quiz_state`, which the progress store reads, does not
bring the whole grader with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .code_answers import grade_code, grade_task, syntax_problem
    from .compare import compare_values
    from .expected import ExpectedValueError
    from .grader import KINDS, grade, grade_quiz
    from .quiz_state import QuizAttempts, answer_key
    from .tolerance import Tolerance, parse_tolerance
    from .verdict import Verdict

#: Each public name and the module that holds it.
_HOME = {
    "grade_code": "code_answers", "grade_task": "code_answers", "syntax_problem": "code_answers",
    "compare_values": "compare", "ExpectedValueError": "expected", "KINDS": "grader",
    "grade": "grader", "grade_quiz": "grader", "QuizAttempts": "quiz_state",
    "answer_key": "quiz_state", "Tolerance": "tolerance", "parse_tolerance": "tolerance",
    "Verdict": "verdict",
}

__all__ = [
    "KINDS",
    "ExpectedValueError",
    "QuizAttempts",
    "Tolerance",
    "Verdict",
    "answer_key",
    "compare_values",
    "grade",
    "grade_code",
    "grade_quiz",
    "grade_task",
    "parse_tolerance",
    "syntax_problem",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    globals()[name] = value
    return value
