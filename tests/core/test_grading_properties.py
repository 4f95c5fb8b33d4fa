"""Property and fuzz tests: grading never raises, accepts every fair spelling, rejects misses."""

from __future__ import annotations

import math
import random
import subprocess
import sys
from decimal import Decimal
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tutor.grading import KINDS, Verdict, grade
from tutor.grading.number_reading import parse_number
from tutor.grading.shapes import format_shape, parse_shape
from tutor.grading.shown import numbers_in

EXPECTED: dict[str, tuple[Any, dict[str, Any]]] = {
    "number": (-0.0898, {}),
    "shape": ([2, 3], {}),
    "dtype": ("torch.float32", {}),
    "tensor": ({"kind": "tensor", "values": [[1.5, -2.0]], "dtype": "torch.float32",
                "shape": [1, 2]}, {}),
    "choice": ("a matrix", {"choices": ["a vector", "a matrix", "a scalar"]}),
    "text": (None, {"accept": ["pretraining"]}),
}
OUTCOMES = {"correct", "wrong", "unparseable"}

finite = st.floats(min_value=1e-30, max_value=1e30).flatmap(
    lambda x: st.sampled_from([x, -x]))


def _check(kind: str, answer: str) -> Verdict:
    expected, options = EXPECTED[kind]
    verdict = grade(kind, answer, expected, **options)
    assert isinstance(verdict, Verdict)
    assert verdict.kind in OUTCOMES and verdict.message
    assert verdict.correct == (verdict.kind == "correct")
    return verdict


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(KINDS), answer=st.text(max_size=60))
def test_any_text_gives_a_verdict(kind: str, answer: str) -> None:
    _check(kind, answer)


_TOKENS = ["0", "1", "2", "9", "12", ".", ",", "_", " ", "-", "−", "+", "e", "E", "x", "×",
           "^", "**", "10", "(", ")", "[", "]", "nan", "inf", "True", "false", "tensor(",
           "torch.Size(", "dtype=", "torch.", "float", "int64", "by", "scalar", "a", "b", "\n",
           "'", "...", "=", "<", ">", "∞", "⁻²", "grad_fn=<AddBackward0>", "device='cuda:0'"]


def test_random_strings_never_raise() -> None:
    rng = random.Random(20240531)
    for kind in KINDS:
        for _ in range(10_000):
            answer = "".join(rng.choice(_TOKENS) for _ in range(rng.randint(0, 12)))
            _check(kind, answer)


def _spellings(value: float, digits: int) -> list[str]:
    """`value` printed with `digits` significant digits, in scientific and fixed notation."""
    spelled = [f"{value:.{digits - 1}e}", f"{value:.{digits - 1}E}".replace("-", "−")]
    decimals = digits - 1 - math.floor(math.log10(abs(value)))
    if 0 <= decimals <= 40:
        spelled.append(f"{value:.{decimals}f}")
    return spelled


@settings(max_examples=200, deadline=None)
@given(value=finite, minimum=st.integers(1, 5), extra=st.integers(0, 12))
def test_expected_at_any_precision_above_minimum_is_accepted(
        value: float, minimum: int, extra: int) -> None:
    for answer in _spellings(value, minimum + extra):
        verdict = grade("number", answer, value, tolerance={"digits": minimum})
        assert verdict.correct, (answer, value, verdict.message)


@settings(max_examples=200, deadline=None)
@given(value=finite, digits=st.integers(2, 6), units=st.integers(2, 50), up=st.booleans())
def test_perturbed_beyond_typed_precision_is_rejected(
        value: float, digits: int, units: int, up: bool) -> None:
    typed = parse_number(f"{value:.{digits - 1}e}")
    assert typed is not None
    step = Decimal(units if up else -units).scaleb(typed.exponent)
    answer = str(typed.mantissa + step)
    verdict = grade("number", answer, value)
    assert not verdict.correct, (answer, value, verdict.message)


@settings(max_examples=200, deadline=None)
@given(value=finite, bound=st.floats(1e-6, 1e3), inside=st.floats(0, 0.9),
       outside=st.floats(1.1, 10), relative=st.booleans())
def test_abs_and_rel_tolerances_are_bounds(
        value: float, bound: float, inside: float, outside: float, relative: bool) -> None:
    width = bound * abs(value) if relative else bound
    assume(width > abs(value) * 1e-9)  # a bound below float64 resolution cannot be judged
    tolerance = {"rel" if relative else "abs": bound}
    near, far = value + inside * width, value - outside * width
    assert grade("number", repr(near), value, tolerance=tolerance).correct
    if far != value:
        assert not grade("number", repr(far), value, tolerance=tolerance).correct


@settings(max_examples=100, deadline=None)
@given(value=st.integers(-(10**15), 10**15), delta=st.integers(1, 1000))
def test_integers_are_exact(value: int, delta: int) -> None:
    assert grade("number", f"{value:,}", value).correct
    assert grade("number", f"{value:_}", value).correct
    assert not grade("number", str(value + delta), value).correct


def _shape_spellings(shape: tuple[int, ...]) -> list[str]:
    sizes = ", ".join(map(str, shape))
    spelled = [format_shape(shape), f"[{sizes}]", f"torch.Size([{sizes}])", f" ({sizes}) "]
    if shape:
        spelled += ["x".join(map(str, shape)), " × ".join(map(str, shape)),
                    " by ".join(map(str, shape)), sizes, " ".join(map(str, shape))]
    else:
        spelled += ["scalar", "torch.Size([])", "()"]
    if len(shape) == 1:
        spelled += [f"({shape[0]},)", str(shape[0])]
    return spelled


@settings(max_examples=200, deadline=None)
@given(shape=st.lists(st.integers(0, 10**6), max_size=6).map(tuple))
def test_every_shape_spelling_round_trips(shape: tuple[int, ...]) -> None:
    for spelling in _shape_spellings(shape):
        assert parse_shape(spelling) == shape, spelling
        assert grade("shape", spelling, list(shape)).correct, spelling


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.floats(-100, 100), min_size=1, max_size=8),
       decimals=st.integers(1, 6), which=st.integers(0, 7))
def test_tensor_typed_to_enough_digits_is_accepted_and_a_miss_rejected(
        values: list[float], decimals: int, which: int) -> None:
    expected = {"kind": "tensor", "values": values, "dtype": "torch.float64",
                "shape": [len(values)]}
    typed = [f"{v:.{decimals}e}" for v in values]
    assert grade("tensor", f"tensor([{', '.join(typed)}])", expected).correct
    index = which % len(values)
    number = parse_number(typed[index])
    assert number is not None
    typed[index] = str(number.mantissa + Decimal(3).scaleb(number.exponent))
    assert not grade("tensor", "[" + ", ".join(typed) + "]", expected).correct


def test_importing_grading_loads_neither_torch_nor_textual() -> None:
    code = ("import sys, tutor.grading; "
            "print(sorted({'torch', 'textual'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="about≈~ 0123456789.,eE+-kMGBib", max_size=40))
def test_any_text_beside_a_quiz_is_read_without_error(text: str) -> None:
    # Lesson prose is read for numbers at load time: nothing in it may break the grader.
    shown = numbers_in(text)
    assert grade("number", "1.5", 1.5, shown=shown).correct


_NUMBER_TOKENS = ["0", "1", "5", "9", ".", "-", "e", "400", "nan", "inf", "/", " ", "MB", "B",
                  "k", "MiB", "tensor(", ")", "True", ",", "000", "×10^", "≈"]
_COMPUTED = [True, False, 0, 0.0, -0.0, 7, 5_000_000_000, 124_412_160, 0.5, -0.0898,
             1e300, -1e-300, math.nan, math.inf, -math.inf]


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(st.sampled_from(_NUMBER_TOKENS), max_size=8),
       expected=st.sampled_from(_COMPUTED), shown=st.lists(st.sampled_from(
           ["~0.5", "~-0.0898", "77 MB", "~1e300", "~5 B", "~0", "-0.09"]), max_size=3),
       tolerance=st.sampled_from([None, {"digits": 3}, {"rel": 0.001}, {"abs": 1e-9}]))
def test_any_number_against_any_computed_value_gives_a_verdict(
        tokens: list[str], expected: Any, shown: list[str], tolerance: Any) -> None:
    verdict = grade("number", "".join(tokens), expected, tolerance=tolerance, shown=shown)
    assert verdict.kind in OUTCOMES and verdict.message
