"""Grading: parse learners' typed answers (never eval) and judge them against computed values.

Plain Python: importing this package never imports torch or Textual.
"""

from .compare import compare_values
from .expected import ExpectedValueError
from .grader import KINDS, grade
from .quiz_state import QuizAttempts
from .tolerance import Tolerance, parse_tolerance
from .verdict import Verdict

__all__ = [
    "KINDS",
    "ExpectedValueError",
    "QuizAttempts",
    "Tolerance",
    "Verdict",
    "compare_values",
    "grade",
    "parse_tolerance",
]
