"""Grading: parse learners' typed answers (never eval) and judge them against computed values.

Plain Python: importing this package never imports torch or Textual.
"""

from .code_answers import grade_code, grade_task, syntax_problem
from .compare import compare_values
from .expected import ExpectedValueError
from .grader import KINDS, grade
from .quiz_state import QuizAttempts, answer_key
from .tolerance import Tolerance, parse_tolerance
from .verdict import Verdict

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
    "grade_task",
    "parse_tolerance",
    "syntax_problem",
]
