"""Table-driven verdicts for every quiz kind: correct, wrong and unparseable answers."""

from __future__ import annotations

import math
import struct
from typing import Any

import pytest

from tutor.grading import ExpectedValueError, Verdict, grade
from tutor.grading.shapes import format_shape

# The lesson's autograd example (x = 1.1, y = 1, w = 2.2, b = 0), computed, not typed.
A = 1 / (1 + math.exp(-(1.1 * 2.2)))
W_GRAD = (A - 1.0) * 1.1
B_GRAD = A - 1.0
GPT2_TIED = 124_412_160
SMALL = 1.234e-5


def tensor(values: Any, dtype: str = "torch.float32") -> dict[str, Any]:
    """The runner's encoding of a tensor, with its shape worked out from `values`."""
    shape: list[int] = []
    inner = values
    while isinstance(inner, list):
        shape.append(len(inner))
        inner = inner[0] if inner else None
    return {"kind": "tensor", "values": values, "dtype": dtype, "shape": shape}


def spelled(value: float, digits: int) -> str:
    return f"{value:.{digits}g}"


R, W, U = "correct", "wrong", "unparseable"
NO_OPTIONS: dict[str, Any] = {}

NUMBER = [
    ("-0.0898", W_GRAD, NO_OPTIONS, R),
    ("−0.0898", W_GRAD, NO_OPTIONS, R),
    ("-8.98e-2", W_GRAD, NO_OPTIONS, R),
    ("-8.98E-2", W_GRAD, NO_OPTIONS, R),
    ("  -0.0898  ", W_GRAD, NO_OPTIONS, R),
    ("-8.98×10^-2", W_GRAD, NO_OPTIONS, R),
    ("-8.98 x 10^-2", W_GRAD, NO_OPTIONS, R),
    ("-8.98×10⁻²", W_GRAD, NO_OPTIONS, R),
    ("-8.98*10**-2", W_GRAD, NO_OPTIONS, R),
    ("-0.090", W_GRAD, NO_OPTIONS, R),
    ("-.0898", W_GRAD, NO_OPTIONS, R),
    (spelled(W_GRAD, 12), W_GRAD, NO_OPTIONS, R),
    (repr(W_GRAD), W_GRAD, NO_OPTIONS, R),
    ("-0.09", W_GRAD, {"tolerance": {"digits": 1}}, R),
    ("-0.09", W_GRAD, NO_OPTIONS, W),
    ("-0.0898", W_GRAD, {"tolerance": {"digits": 4}}, W),
    ("-0.08983", W_GRAD, {"tolerance": {"digits": 4}}, R),
    ("-0.0897", W_GRAD, NO_OPTIONS, W),
    ("-0.08984", W_GRAD, NO_OPTIONS, W),
    ("0.0898", W_GRAD, NO_OPTIONS, W),
    ("-0.898", W_GRAD, NO_OPTIONS, W),
    ("-0.1", W_GRAD, {"tolerance": {"abs": 0.02}}, R),
    ("-0.1", W_GRAD, {"tolerance": {"abs": 0.001}}, W),
    ("-0.085", W_GRAD, {"tolerance": {"rel": 0.1}}, R),
    ("-0.07", W_GRAD, {"tolerance": {"rel": 0.1}}, W),
    ("-0.0817", B_GRAD, NO_OPTIONS, R),
    ("-0.082", B_GRAD, NO_OPTIONS, R),
    ("-0.0818", B_GRAD, NO_OPTIONS, W),
    ("nan", W_GRAD, NO_OPTIONS, W),
    ("inf", W_GRAD, NO_OPTIONS, W),
    ("nan", math.nan, NO_OPTIONS, R),
    ("NaN", math.nan, NO_OPTIONS, R),
    ("0.5", math.nan, NO_OPTIONS, W),
    ("inf", math.inf, NO_OPTIONS, R),
    ("-inf", -math.inf, NO_OPTIONS, R),
    ("−∞", -math.inf, NO_OPTIONS, R),
    ("inf", -math.inf, NO_OPTIONS, W),
    ("124412160", GPT2_TIED, NO_OPTIONS, R),
    ("124,412,160", GPT2_TIED, NO_OPTIONS, R),
    ("124_412_160", GPT2_TIED, NO_OPTIONS, R),
    ("124 412 160", GPT2_TIED, NO_OPTIONS, R),
    ("124 412 160", GPT2_TIED, NO_OPTIONS, R),
    ("1.2441216e8", GPT2_TIED, NO_OPTIONS, R),
    ("124412160.0", GPT2_TIED, NO_OPTIONS, R),
    ("1.24e8", GPT2_TIED, NO_OPTIONS, W),
    ("124M", GPT2_TIED, NO_OPTIONS, W),
    ("124412161", GPT2_TIED, NO_OPTIONS, W),
    ("163009536", GPT2_TIED, NO_OPTIONS, W),
    ("124,41,2160", GPT2_TIED, NO_OPTIONS, U),
    ("124,412,160", GPT2_TIED, {"tolerance": {"rel": 0.01}}, R),
    ("1.24e8", GPT2_TIED, {"tolerance": {"rel": 0.01}}, R),
    ("2", 2.0, NO_OPTIONS, R),
    ("0.1", float(struct.unpack("f", struct.pack("f", 0.1))[0]), NO_OPTIONS, R),
    ("2.0", 2.0, NO_OPTIONS, R),
    ("0", 0.0, NO_OPTIONS, R),
    ("-0", 0.0, NO_OPTIONS, R),
    ("1", 0.0, NO_OPTIONS, W),
    ("0.000012", SMALL, NO_OPTIONS, R),
    ("1.2e-5", SMALL, NO_OPTIONS, R),
    ("0.00001", SMALL, NO_OPTIONS, W),
    ("0.0000", SMALL, NO_OPTIONS, W),
    ("True", True, NO_OPTIONS, R),
    ("true", True, NO_OPTIONS, R),
    ("False", True, NO_OPTIONS, W),
    ("0", False, NO_OPTIONS, R),
    ("maybe", True, NO_OPTIONS, U),
    ("True", 1.5, NO_OPTIONS, U),
    ("-0.09", tensor(W_GRAD), {"tolerance": {"digits": 1}}, R),
    ("-0.0898", tensor([W_GRAD]), NO_OPTIONS, R),
    ("-0.0898", tensor([[W_GRAD]]), NO_OPTIONS, R),
    ("7", tensor(7, "torch.int64"), NO_OPTIONS, R),
    ("7.4", tensor(7, "torch.int64"), NO_OPTIONS, W),
    ("", W_GRAD, NO_OPTIONS, U),
    ("-", W_GRAD, NO_OPTIONS, U),
    ("0,0898", W_GRAD, NO_OPTIONS, U),
    ("1e999999", W_GRAD, NO_OPTIONS, U),
    ("--0.0898", W_GRAD, NO_OPTIONS, U),
    ("0.08.98", W_GRAD, NO_OPTIONS, U),
    ("w.grad", W_GRAD, NO_OPTIONS, U),
    ("__import__('os')", W_GRAD, NO_OPTIONS, U),
]

SHAPE = [
    ("(2, 3)", [2, 3], R),
    ("[2, 3]", [2, 3], R),
    ("2x3", [2, 3], R),
    ("2 X 3", [2, 3], R),
    ("2 × 3", [2, 3], R),
    ("2 by 3", [2, 3], R),
    ("2*3", [2, 3], R),
    ("2, 3", [2, 3], R),
    ("2 3", [2, 3], R),
    ("torch.Size([2, 3])", [2, 3], R),
    ("Size([2,3])", [2, 3], R),
    ("(2,3,)", [2, 3], R),
    ("(5,)", [5], R),
    ("5", [5], R),
    ("[5]", [5], R),
    ("torch.Size([5])", [5], R),
    ("()", [], R),
    ("[]", [], R),
    ("torch.Size([])", [], R),
    ("scalar", [], R),
    ("Scalar", [], R),
    ("2x3x4", [2, 3, 4], R),
    ("(3, 2)", [2, 3], W),
    ("(2, 3, 1)", [2, 3], W),
    ("(6,)", [2, 3], W),
    ("(2, 4)", [2, 3], W),
    ("()", [2, 3], W),
    ("(5,)", [], W),
    ("(1, 5)", [5], W),
    ("(2, 3)", [2, 3, 4], W),
    ("2 by", [2, 3], U),
    ("(2, -3)", [2, 3], U),
    ("(2.5, 3)", [2, 3], U),
    ("two by three", [2, 3], U),
    ("(,)", [2, 3], U),
    ("", [2, 3], U),
    ("((2, 3)", [2, 3], U),
]

DTYPE = [
    ("torch.float32", "torch.float32", R),
    ("float32", "torch.float32", R),
    ("float", "torch.float32", R),
    ("torch.float", "torch.float32", R),
    ("Float32", "torch.float32", R),
    ("dtype=torch.float32", "torch.float32", R),
    ("`torch.float32`", "torch.float32", R),
    ("fp32", "torch.float32", R),
    ("double", "torch.float64", R),
    ("torch.float64", "torch.float64", R),
    ("half", "torch.float16", R),
    ("long", "torch.int64", R),
    ("torch.int64", "torch.int64", R),
    ("int", "torch.int32", R),
    ("short", "torch.int16", R),
    ("bool", "torch.bool", R),
    ("bfloat16", "torch.bfloat16", R),
    ("cfloat", "torch.complex64", R),
    ("cdouble", "torch.complex128", R),
    ("uint8", "torch.uint8", R),
    ("float64", "torch.float32", W),
    ("int64", "torch.float32", W),
    ("int", "torch.int64", W),
    ("float16", "torch.bfloat16", W),
    ("bool", "torch.uint8", W),
    ("float32", "torch.int64", W),
    ("torch.float128", "torch.float32", U),
    ("floaty", "torch.float32", U),
    ("", "torch.float32", U),
    ("np.float32", "torch.float32", U),
    ("32", "torch.float32", U),
]

CHOICES = ["a vector", "a matrix", "a scalar", "a rank-3 tensor"]
CHOICE = [
    ("b", "a matrix", R),
    ("B", "a matrix", R),
    ("(b)", "a matrix", R),
    ("b)", "a matrix", R),
    ("b.", "a matrix", R),
    ("2", "a matrix", R),
    ("(2)", "a matrix", R),
    ("A Matrix", "a matrix", R),
    ("  a   matrix. ", "a matrix", R),
    ("option b", "a matrix", R),
    ("a", "a matrix", W),
    ("1", "a matrix", W),
    ("d", "a matrix", W),
    ("a scalar", "a matrix", W),
    ("e", "a matrix", U),
    ("5", "a matrix", U),
    ("0", "a matrix", U),
    ("matrix", "a matrix", U),
    ("", "a matrix", U),
]

TEXT_ACCEPT = ["pretraining", "pre-training"]
TEXT = [
    ("pretraining", None, R),
    ("Pretraining.", None, R),
    ("  PRE-TRAINING  ", None, R),
    ('"pretraining"', None, R),
    ("fine-tuning", "fine-tuning", R),
    ("Fine-Tuning!", "fine-tuning", R),
    ("fine tuning", None, W),
    ("training", None, W),
    ("pre training", None, R),
    ("", None, U),
    ("...", None, U),
]

TENSOR = [
    ("[1.0, 2.0]", tensor([1.0, 2.0]), R),
    ("[1, 2]", tensor([1.0, 2.0]), R),
    ("tensor([1., 2.])", tensor([1.0, 2.0]), R),
    ("torch.tensor([1., 2.])", tensor([1.0, 2.0]), R),
    ("[1 2]", tensor([1.0, 2.0]), R),
    ("1, 2", tensor([1.0, 2.0]), R),
    ("[[1, 2], [3, 4]]", tensor([[1, 2], [3, 4]], "torch.int64"), R),
    ("tensor([[1, 2],\n        [3, 4]])", tensor([[1, 2], [3, 4]], "torch.int64"), R),
    ("[[1.0, 2.0], [3.0, 4.0]]", tensor([[1, 2], [3, 4]], "torch.int64"), R),
    ("tensor([-0.0898], requires_grad=True)", tensor([W_GRAD]), R),
    ("tensor([-0.0898], grad_fn=<MulBackward0>)", tensor([W_GRAD]), R),
    (f"tensor([{W_GRAD:.4e}], device='cuda:0')", tensor([W_GRAD]), R),
    ("tensor([1., 2.], dtype=torch.float64)", tensor([1.0, 2.0], "torch.float64"), R),
    ("tensor([nan, inf, -inf])", tensor([math.nan, math.inf, -math.inf]), R),
    ("[True, False]", tensor([True, False], "torch.bool"), R),
    ("tensor(3.5000)", tensor(3.5), R),
    ("3.5", tensor(3.5), R),
    ("[]", tensor([]), R),
    ("[0.12, -1.5]", [0.123456, -1.5], R),
    ("[0.1235, 1.5]", tensor([0.123456, -1.5]), W),
    ("[-0.1235, 1.5]", tensor([0.123456, -1.5]), W),
    ("[2.0, 1.0]", tensor([1.0, 2.0]), W),
    ("[1.0, 2.0, 3.0]", tensor([1.0, 2.0]), W),
    ("[[1, 2, 3, 4]]", tensor([[1, 2], [3, 4]], "torch.int64"), W),
    ("[[1, 3], [2, 4]]", tensor([[1, 2], [3, 4]], "torch.int64"), W),
    ("[1.4, 2]", tensor([1, 2], "torch.int64"), W),
    ("[0.1, 10]", tensor([0.123456, 10.0]), R),
    ("[1, 0.5]", tensor([1.23, 0.5]), W),
    ("[12, 0]", tensor([12.4, 0.3]), R),
    ("[1e1, 0]", tensor([12.4, 0.3]), W),
    ("[1.2, 0.5]", tensor([1.23, 0.5]), R),
    ("[1, 2]", tensor([[1.0, 2.0]]), W),
    ("tensor([1., 2.], dtype=torch.float64)", tensor([1.0, 2.0]), W),
    ("[nan, 2]", tensor([1.0, 2.0]), W),
    ("[1, 2.2]", tensor([1.0, 2.0]), W),
    ("[True, True]", tensor([True, False], "torch.bool"), W),
    ("[[1, 2], [3]]", tensor([[1, 2], [3, 4]], "torch.int64"), U),
    ("tensor([1, 2, ..., 9])", tensor([1.0, 2.0]), U),
    ("[1, 2", tensor([1.0, 2.0]), U),
    ("[1-2]", tensor([1.0, 2.0]), U),
    ("tensor([1., 2.], dtype=torch.floaty)", tensor([1.0, 2.0]), U),
    ("x + y", tensor([1.0, 2.0]), U),
    ("[" * 50 + "]" * 50, tensor([1.0, 2.0]), U),
    ("", tensor([1.0, 2.0]), U),
]

CASES = (
    [pytest.param("number", a, e, o, v, id=f"number:{a!r}->{v}") for a, e, o, v in NUMBER]
    + [pytest.param("shape", a, e, NO_OPTIONS, v, id=f"shape:{a!r}->{v}") for a, e, v in SHAPE]
    + [pytest.param("dtype", a, e, NO_OPTIONS, v, id=f"dtype:{a!r}->{v}") for a, e, v in DTYPE]
    + [pytest.param("choice", a, e, {"choices": CHOICES}, v, id=f"choice:{a!r}->{v}")
       for a, e, v in CHOICE]
    + [pytest.param("text", a, e, {"accept": TEXT_ACCEPT}, v, id=f"text:{a!r}->{v}")
       for a, e, v in TEXT]
    + [pytest.param("tensor", a, e, NO_OPTIONS, v, id=f"tensor:{a[:40]!r}->{v}")
       for a, e, v in TENSOR]
)


def reveals(kind: str, message: str, expected: Any) -> bool:
    """True when a message would give the computed answer away."""
    if kind == "number" and isinstance(expected, float) and math.isfinite(expected):
        return expected != 0 and f"{abs(expected):.3g}" in message
    if kind == "number" and isinstance(expected, int) and not isinstance(expected, bool):
        return str(expected) in message or f"{expected:,}" in message
    if kind == "shape":
        return format_shape(expected) in message
    if kind == "dtype":
        return expected in message
    if kind == "choice":
        return expected in message
    return False


def test_table_covers_every_kind_and_outcome() -> None:
    seen = {(case.values[0], case.values[4]) for case in CASES}
    kinds = {"number", "shape", "dtype", "tensor", "choice", "text"}
    assert seen == {(kind, outcome) for kind in kinds for outcome in (R, W, U)}
    assert len(CASES) >= 150


@pytest.mark.parametrize(("kind", "answer", "expected", "options", "outcome"), CASES)
def test_verdict(kind: str, answer: str, expected: Any, options: dict[str, Any],
                 outcome: str) -> None:
    verdict = grade(kind, answer, expected, **options)
    assert isinstance(verdict, Verdict)
    assert verdict.kind == outcome, verdict.message
    assert verdict.correct == (outcome == R)
    assert verdict.message
    if outcome != R:
        assert not reveals(kind, verdict.message, expected), verdict.message
    if outcome == U:
        assert verdict.parsed is None
        assert verdict.message.startswith(("Type", "Rows", "Unknown", "That"))


def test_correct_number_shows_the_value_to_ten_significant_digits() -> None:
    """More than the learner typed, without float64's last noisy digits (a learner read
    "Correct: 3.2188758248682006." as noise)."""
    verdict = grade("number", "-0.0898", W_GRAD)
    assert f"{W_GRAD:.10g}" in verdict.message and repr(W_GRAD) not in verdict.message
    assert "3 significant digits" in verdict.message
    assert "3.218875825" in grade("number", "ln 25", math.log(25)).message


@pytest.mark.parametrize(
    ("answer", "expected", "words"),
    [
        ("0.0898", W_GRAD, "sign"),
        ("-0.09", W_GRAD, "significant digits"),
        ("-0.898", W_GRAD, "power of ten"),
        ("-0.0897", W_GRAD, "2 significant digits"),
        ("1.24e8", GPT2_TIED, "every digit"),
    ],
)
def test_wrong_number_says_why(answer: str, expected: float, words: str) -> None:
    assert words in grade("number", answer, expected).message


@pytest.mark.parametrize(
    ("kind", "answer", "expected", "words"),
    [
        ("shape", "(3, 2)", [2, 3], "wrong order"),
        ("shape", "(2, 3, 1)", [2, 3], "dimensions"),
        ("shape", "(3, 4)", [2, 6], "number of elements is right"),
        ("dtype", "int64", "torch.float32", "floating point"),
        ("dtype", "float64", "torch.float32", "precision"),
        ("tensor", "[1, 2, 3, 4]", tensor([[1, 2], [3, 4]], "torch.int64"), "wrong shape"),
        ("tensor", "[-1, 2]", tensor([1.0, 2.0]), "sign"),
        ("tensor", "[1, 2.2]", tensor([1.0, 2.0]), "the first at index [1]"),
        ("tensor", "[1, 0.5]", tensor([1.23, 0.5]), "significant digits"),
    ],
)
def test_wrong_answers_say_why(kind: str, answer: str, expected: Any, words: str) -> None:
    assert words in grade(kind, answer, expected).message


def test_tolerance_is_named_in_the_message() -> None:
    assert "±0.02" in grade("number", "-0.1", W_GRAD, tolerance={"abs": 0.02}).message
    assert "10% relative" in grade("number", "-0.07", W_GRAD, tolerance={"rel": 0.1}).message


@pytest.mark.parametrize(
    ("kind", "expected", "options"),
    [
        ("number", "many", NO_OPTIONS),
        ("number", tensor([1.0, 2.0]), NO_OPTIONS),
        ("shape", {"kind": "repr", "repr": "<object>"}, NO_OPTIONS),
        ("dtype", "torch.float128", NO_OPTIONS),
        ("tensor", {"kind": "tensor", "values": None, "dtype": "torch.float32", "shape": [2]},
         NO_OPTIONS),
        ("tensor", [[1, 2], [3]], NO_OPTIONS),
        ("choice", "a cube", {"choices": CHOICES}),
        ("choice", "a matrix", NO_OPTIONS),
        ("text", None, NO_OPTIONS),
        ("code", 1, NO_OPTIONS),
        ("number", 1.0, {"tolerance": {"digits": 0}}),
        ("number", 1.0, {"tolerance": {"digits": 2, "abs": 0.1}}),
        ("number", 1.0, {"tolerance": {"ulps": 2}}),
    ],
)
def test_faulty_quiz_raises_value_error(kind: str, expected: Any,
                                        options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        grade(kind, "1", expected, **options)


def test_expected_value_error_is_a_value_error() -> None:
    with pytest.raises(ExpectedValueError):
        grade("shape", "(2, 3)", "not a shape")
