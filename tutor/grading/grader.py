"""grade(): parse a typed answer for one quiz kind and judge it against the computed value."""

from __future__ import annotations

from collections.abc import Mapping

from .choices import grade_choice, grade_text
from .dtype_names import EPSILON
from .dtypes import grade_dtype
from .expected import as_number
from .normalize import MAX_ANSWER_CHARS
from .numbers import judge_number, number_form, parse_number
from .shapes import grade_shape
from .tensors import grade_tensor
from .tolerance import Tolerance, parse_tolerance
from .verdict import Verdict

#: Quiz kinds whose answers are typed and graded here ("code" goes through compare_values).
KINDS = ("number", "shape", "dtype", "tensor", "choice", "text")


def grade_number(answer: str, expected: object, tolerance: Tolerance) -> Verdict:
    """A typed number against a computed bool, int, float or one-element tensor."""
    value, dtype = as_number(expected)
    typed = parse_number(answer)
    if typed is None:
        form = "Type True or False." if isinstance(value, bool) else number_form(value)
        return Verdict.unparseable(form)
    # Plain floats often come from float32 tensors (.item()): judge digits beyond float32's
    # precision leniently unless the dtype says the value carries more.
    epsilon = EPSILON.get(dtype or "", EPSILON["float32"])
    return judge_number(typed, value, tolerance, epsilon)


def grade(kind: str, answer: str, expected: object, *,
          tolerance: Mapping[str, object] | None = None, choices: list[str] | None = None,
          accept: list[str] | None = None) -> Verdict:
    """Judge a learner's typed `answer` against the runner's computed `expected` value.

    Never raises for any answer text; raises ValueError (ExpectedValueError) when the quiz
    itself is faulty: an unknown kind, a bad tolerance, or an expected value unfit for the kind.
    """
    bounds = parse_tolerance(tolerance)
    if kind not in KINDS:
        hint = "; code answers are judged with compare_values" if kind == "code" else ""
        raise ValueError(f"unknown quiz kind {kind!r}{hint}")
    if len(answer) > MAX_ANSWER_CHARS:
        return Verdict.unparseable("That answer is too long to be read.")
    if kind == "number":
        return grade_number(answer, expected, bounds)
    if kind == "shape":
        return grade_shape(answer, expected)
    if kind == "dtype":
        return grade_dtype(answer, expected)
    if kind == "tensor":
        return grade_tensor(answer, expected, bounds)
    if kind == "choice":
        return grade_choice(answer, expected, choices)
    return grade_text(answer, expected, accept)
