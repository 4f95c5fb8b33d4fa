"""grade(): parse a typed answer for one quiz kind and judge it against the computed value."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from tutor.i18n import _
from tutor.quiz_kinds import KINDS, RUN_KINDS, GradedQuiz

from .choices import grade_choice, grade_text
from .dtype_names import EPSILON
from .dtypes import grade_dtype
from .expected import as_number
from .expressions import problem
from .normalize import MAX_ANSWER_CHARS
from .number_reading import closest, readings
from .numbers import judge_number, number_form
from .shapes import grade_shape
from .shown import Shown, parse_shown
from .tensors import grade_tensor, parse_tensor
from .tolerance import Tolerance, parse_tolerance
from .typed_number import TypedNumber
from .units import asked_units, asks_bytes, in_asked_units
from .verdict import Verdict

#: "0,287", "3,2": a decimal comma, which is not read (a comma groups thousands: 50,257).
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
#: A word: letters only (`rows`, `safu`).
_WORD = re.compile(r"[^\W\d_]+")


def number_readings(answer: str) -> list[TypedNumber]:
    """What a typed number can mean; a one-element tensor as PyTorch prints it (`tensor(52.)`)
    is its number."""
    found = readings(answer)
    if found:
        return found
    tensor = parse_tensor(answer)
    if not isinstance(tensor, str) and len(tensor.elements) == 1:
        return [tensor.elements[0]]
    return []


def _words(text: str) -> set[str]:
    """The words of `text`, casefolded, each also without a plural "s"."""
    words = {word.casefold() for word in re.findall(r"[^\W\d_]+", text)}
    return words | {word[:-1] for word in words if len(word) > 3 and word.endswith("s")}


def without_asked_words(answer: str, ask: str) -> str | None:
    """`answer` without the words around its number that the question itself uses ("How many
    rows ...": `4 rows` is 4; "... parameters": `625 parameters`), or None when there are none
    or one is not the question's."""
    tokens = answer.strip().rstrip(".!").split()
    start, end = 0, len(tokens)
    while start < end and _WORD.fullmatch(tokens[start]):
        start += 1
    while end > start and _WORD.fullmatch(tokens[end - 1]):
        end -= 1
    around = tokens[:start] + tokens[end:]
    if not around or start == end or not _words(" ".join(around)) <= _words(ask):
        return None
    return " ".join(tokens[start:end])


def grade_number(answer: str, expected: object, tolerance: Tolerance,
                 shown: Sequence[Shown] = (), ask: str = "") -> Verdict:
    """A typed number against a computed bool, int, float or one-element tensor. An amount of
    bytes is also read in the unit the question `ask` names (`112 GB` for "how many
    gigabytes")."""
    value, dtype = as_number(expected)
    found = number_readings(answer)
    if not found:
        number = without_asked_words(answer, ask)
        found = number_readings(number) if number is not None else []
    options = in_asked_units(found, asked_units(ask), bytes_asked=asks_bytes(ask))
    if not options:
        if _DECIMAL_COMMA.fullmatch(answer.strip()):
            return Verdict.unparseable(_("Type decimals with a point (2.5), not a comma (2,5)."))
        form = _("Type True or False.") if isinstance(value, bool) else number_form(value)
        # "1/0", "9**9**9": say why the expression has no value rather than how to type one.
        return Verdict.unparseable(problem(answer) or form)
    # Plain floats often come from float32 tensors (.item()): judge digits beyond float32's
    # precision leniently unless the dtype says the value carries more.
    epsilon = EPSILON.get(dtype or "", EPSILON["float32"])
    verdicts = [judge_number(typed, value, tolerance, epsilon, shown, dtype) for typed in options]
    right = next((verdict for verdict in verdicts if verdict.correct), None)
    if right is not None:
        return right
    return verdicts[options.index(closest(options, float(value)))]


def grade(kind: str, answer: str, expected: object, *,
          tolerance: Mapping[str, object] | None = None, choices: list[str] | None = None,
          accept: list[str] | None = None, shown: Sequence[str] = (), ask: str = "") -> Verdict:
    """Judge a learner's typed `answer` against the runner's computed `expected` value.

    `shown` holds the numbers the lesson shows beside the quiz (`Quiz.shown`): an answer that
    agrees with the computed value to their precision is right; `ask` is the question, whose
    unit an amount of bytes is read in. Never raises for any answer
    text; raises ValueError (ExpectedValueError) when the quiz itself is faulty: an unknown
    kind, a bad tolerance, or an expected value unfit for the kind.
    """
    bounds = parse_tolerance(tolerance)
    if kind not in KINDS:
        hint = "; code and task answers are judged by grade_code and grade_task" \
            if kind in RUN_KINDS else ""
        raise ValueError(f"unknown quiz kind {kind!r}{hint}")
    if len(answer) > MAX_ANSWER_CHARS:
        return Verdict.unparseable(_("That answer is too long to be read."))

    if kind == "number":
        return grade_number(answer, expected, bounds, parse_shown(shown), ask)
    if kind == "shape":
        return grade_shape(answer, expected)
    if kind == "dtype":
        return grade_dtype(answer, expected)
    if kind == "tensor":
        return grade_tensor(answer, expected, bounds)
    if kind == "choice":
        return grade_choice(answer, expected, choices)
    return grade_text(answer, expected, accept)


def grade_quiz(quiz: GradedQuiz, answer: str, expected: object) -> Verdict:
    """`grade` with everything the quiz says: its tolerance, choices, accepted texts and the
    numbers its lesson shows beside it (for the typed kinds; see grade_code and grade_task)."""
    return grade(quiz.type, answer, expected, tolerance=quiz.tolerance,
                 choices=list(quiz.choices), accept=list(quiz.accept), shown=quiz.shown,
                 ask=quiz.ask)
