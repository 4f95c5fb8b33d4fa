"""Answers a hostile or careless learner types: each gets a clear verdict, never an exception, a
hang or a huge allocation; a right answer is never refused and a wrong one never accepted.

Time and memory are bounded by construction (a size is refused before it is computed); the
tests that would hang without that carry a timeout that ends the run instead of stalling it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable
from fractions import Fraction
from types import SimpleNamespace
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.course import Quiz
from tutor.grading import grade, grade_code, syntax_problem
from tutor.grading.constraints import breaches, parse_constraints
from tutor.grading.expressions import MAX_BITS, evaluate, problem
from tutor.grading.typed_number import MAX_EXPONENT
from tutor.grading.verdict import CORRECT, UNPARSEABLE, WRONG
from tutor.runner.values import encode
from tutor.study.quizzes import evaluate_code

#: Computed values of every kind a number quiz has: a float32 value, a whole number, a
#: probability, bytes, a truth value, zero.
EXPECTED: list[Any] = [2.0, 4, 0.99, 112_000_000_000, True, 0, -0.0898262810]


def short(answer: object) -> str:
    """A test id for an answer that may be a megabyte long."""
    text = ascii(answer)
    return text if len(text) <= 24 else f"{text[:20]}...({len(str(answer))})"

#: Numbers within 10^±400 (typed_number.MAX_EXPONENT) but beyond a float's range, or results
#: that are: each used to raise OverflowError while the verdict was being written.
BEYOND_FLOAT = ["1e309", "1e400", "10**400", "10**399", "10**399*10", "2**2**10", "1e200**2",
                "10.0**400", "1e400%", "1e400+1e-400", "10**399+1/2", "10**400/3", "-1e400",
                "1e-400", "tensor(1e400)"]


@pytest.mark.parametrize("answer", BEYOND_FLOAT, ids=short)
def test_numbers_beyond_a_float_get_a_verdict(answer: str) -> None:
    for expected in EXPECTED:
        verdict = grade("number", answer, expected, ask="how many gigabytes?")
        assert not verdict.correct and verdict.message, (answer, expected)


def test_the_half_unit_of_a_tiny_number_is_not_zero() -> None:
    verdict = grade("number", "1e-400", 2.0)
    assert verdict.kind == WRONG
    assert "±5e-401" in verdict.message and "±0)" not in verdict.message


#: Expressions whose value passes 10^±400, or whose exact value would be enormous: refused
#: before it is computed (9**9**9 has 369 million digits; 1e999999999/3 would build the
#: integer 10^999999999 to divide it).
TOO_LARGE = ["9**9**9", "2^2^2^2^2^2", "10**401", "9**9**9**9", "1e5**1e5", "10**(10**10)",
             "exp(1e6)", "exp(exp(exp(10)))", "1e300*1e300", "(1/3)**1000", "3**-1000",
             "0.5**-2000", "1e999999999/3", "1e9999999**2", "1e1000000", "2**1329",
             "(1/3.000000001)**700", "sqrt(10**400)", "ln 1e999"]


@pytest.mark.timeout(60, method="thread")
@pytest.mark.parametrize("answer", TOO_LARGE, ids=short)
def test_huge_powers_are_refused_before_they_are_computed(answer: str) -> None:
    assert evaluate(answer) is None
    verdict = grade("number", answer, 2.0)
    assert verdict.kind == UNPARSEABLE and not verdict.counted
    assert verdict.message == problem(answer)
    assert f"10^{MAX_EXPONENT}" in verdict.message


@pytest.mark.timeout(60, method="thread")
@pytest.mark.parametrize("answer", ["((1+10**-400)**1600)**1600", "(1+10**-400)**1600",
                                    "((1+1/7000)**500)**5", "(1+1/1000)**1000"])
def test_exact_fractions_stay_small(answer: str) -> None:
    """A power of a fraction close to 1 has a modest value but an exact numerator of millions of
    digits: past MAX_BITS it is carried on as a float instead."""
    typed = evaluate(answer)
    assert typed is not None and typed.exact is not None
    assert max(typed.exact.numerator.bit_length(), typed.exact.denominator.bit_length()) <= \
        MAX_BITS
    assert typed.exact == Fraction(float(typed.exact))  # carried as a float: no digits invented


def test_e_to_the_thousandth_power_is_close_to_e() -> None:
    typed = evaluate("(1+1/1000)**1000")
    assert typed is not None and math.isclose(float(typed), (1 + 1 / 1000) ** 1000)
    assert grade("number", "(1+1/1000)**1000", (1 + 1 / 1000) ** 1000).correct


@pytest.mark.parametrize(("answer", "says"), [
    ("1/0", "divides by zero"), ("0/0", "divides by zero"), ("0**-1", "divides by zero"),
    ("1//0", "divides by zero"), ("5//0.0", "divides by zero"),
    ("log(0)", "no value as a real number"), ("ln 0", "no value as a real number"),
    ("sqrt(-1)", "no value as a real number"), ("√-4", "no value as a real number"),
    ("(-8)**(1/3)", "no value as a real number"), ("(-1)^(1/2)", "no value as a real number"),
    ("log(-1)", "no value as a real number"), ("log2(0)", "no value as a real number"),
])
def test_an_expression_without_a_value_says_why(answer: str, says: str) -> None:
    for expected in (2.0, 4, float("inf"), float("nan")):
        verdict = grade("number", answer, expected)
        assert verdict.kind == UNPARSEABLE and not verdict.counted
        assert says in verdict.message, (answer, expected, verdict.message)


@pytest.mark.parametrize("answer", [
    "__import__('os')", "(1).real", "lambda: 1", "[x for x in (1,)]", "f'{1}'", "(x:=1)",
    "0x10", "1j", "2e", "GB", "5%%", "%", "1 GB MB", "12 abc", "", "   ", "\t\n", "\x00",
    "1\x00", "--1", "- -1", "++1", "1-", "1..2", ".", "-", "1e", "√", "sqrt()", "sqrt(1,2)",
    "ln", "(" * 3000 + "1" + ")" * 3000, "-" * 100_000 + "1", "x" * 1_000_000,
    "1+" * 5000 + "1", "2**" * 100 + "1",
], ids=short)
def test_what_is_not_a_number_is_unparseable(answer: str) -> None:
    for expected in EXPECTED:
        verdict = grade("number", answer, expected)
        assert verdict.kind == UNPARSEABLE and not verdict.counted and verdict.message


@pytest.mark.parametrize(("answer", "expected"), [
    ("٣٫٥", 3.5), ("٣", 3), ("२", 2), ("１２", 12), ("½", 0.5), ("2½", 2.5), ("-2½", -2.5),
    ("¾", 0.75), ("1⁄2", 0.5), ("\u202e2.0", 2.0), ("2\u200b", 2), ("\ufeff0.99", 0.99),
    ("1\u2009000", 1000), ("−0.0898", -0.0898262810), ("2²", 4), ("√√16", 2.0),
    ("√(2*(1+1))", 2.0), ("2√2", 2 * math.sqrt(2)), ("√2 * √2", 2.0), ("ln 1e2", math.log(100)),
    ("2π", 2 * math.pi), ("2pi", 2 * math.pi), ("2 pi", 2 * math.pi), ("(1+1)π", 2 * math.pi),
    ("2 ln 25", 2 * math.log(25)), ("3 sqrt(2)", 3 * math.sqrt(2)),
    ("3.22 (ln 25)", math.log(25)),  # a number and a remark, not a product
    ("3.22.", math.log(25)), ("0.99!", 0.99), ("-0.0898?", -0.0898262810),
    ("3.22 (ln 25).", math.log(25)),  # the full stop of a sentence
], ids=short)
def test_unicode_and_roots_a_learner_types_are_read(answer: str, expected: float) -> None:
    verdict = grade("number", answer, expected, tolerance={"digits": 1})
    assert verdict.kind == CORRECT, (answer, verdict.message)


@pytest.mark.parametrize("answer", ["10**400", "1e999999999/3", "9**9**9", "1/0"])
def test_shapes_and_choices_read_arithmetic_safely(answer: str) -> None:
    shape = grade("shape", f"({answer}, 2)", [2, 2])
    assert shape.kind == UNPARSEABLE
    chosen = grade("choice", answer, "2", choices=["1", "2"])
    assert chosen.kind == UNPARSEABLE


# Code quizzes: the expression runs in the runner; what grading reads is its text and the reply.

#: Python's parser raises RecursionError or MemoryError on deep nesting, and a megabyte of
#: expression would be parsed four times and sent to the runner.
@pytest.mark.parametrize("answer", [
    "-" * 100_000 + "1", "(" * 100_000 + "1" + ")" * 100_000, "not " * 100_000 + "1",
    "a." * 200_000 + "b", "1+" * 200_000 + "1", "x" * 1_000_000, "[" * 5000 + "]" * 5000,
    "\x00", "1\x00", "\u202e1", "", "   ",
], ids=short)
def test_code_that_cannot_be_read_is_never_run(answer: str) -> None:
    problem_found = syntax_problem(answer)
    assert problem_found is not None and not problem_found.counted and problem_found.message
    verdict = grade_code(answer, None, encode(2.0))  # not run: no reply needed
    assert not verdict.correct and not verdict.counted


NO_CALL = {"forbid": ["tok_emb()"]}
FROM_DATA = {"forbid": ["targets", "inputs"], "require": ["data", "stride", "context_length"]}
DATA_ANSWER = "data[5 * stride + 1:5 * stride + context_length + 1]"


@pytest.mark.parametrize(("rules", "expression", "kind", "name"), [
    (NO_CALL, 'getattr(tok_emb, "forward")(torch.tensor(4))', "calls", "tok_emb"),
    (NO_CALL, "tok_emb.forward.__call__(torch.tensor(4))", "calls", "tok_emb"),
    (NO_CALL, "tok_emb._call_impl(torch.tensor(4))", "calls", "tok_emb"),
    (NO_CALL, "f = tok_emb.forward", "calls", "tok_emb"),
    (NO_CALL, "(f := tok_emb)(torch.tensor(4))", "passes", "tok_emb"),
    (NO_CALL, "list(map(tok_emb, [torch.tensor(4)]))[0]", "passes", "tok_emb"),
    (NO_CALL, "[tok_emb][0](torch.tensor(4))", "passes", "tok_emb"),
    (NO_CALL, "nn.Embedding.forward(tok_emb, torch.tensor(4))", "passes", "tok_emb"),
    (NO_CALL, "type(tok_emb).__call__(tok_emb, torch.tensor(4))", "passes", "tok_emb"),
    (NO_CALL, "(lambda f: f(torch.tensor(4)))(tok_emb)", "passes", "tok_emb"),
    (NO_CALL, 'eval("tok_emb(torch.tensor(4))")', "hides", "eval"),
    (NO_CALL, 'torch.__builtins__["eval"]("tok_emb(torch.tensor(4))")', "hides",
     "__builtins__"),
    (NO_CALL, "getattr(tok_emb, 'for' + 'ward')(torch.tensor(4))", "passes", "tok_emb"),
    (FROM_DATA, f'globals()["targets"][5] if {DATA_ANSWER} is None else 0', "hides",
     "globals"),
    (FROM_DATA, f'vars()["targets"][5] + 0 * {DATA_ANSWER}', "hides", "vars"),
    (FROM_DATA, f'eval("targets[5]") + 0 * {DATA_ANSWER}', "hides", "eval"),
    (FROM_DATA, f'(lambda: 0).__globals__["targets"][5] + 0 * {DATA_ANSWER}', "hides",
     "__globals__"),
])
def test_forbidden_names_cannot_be_reached_another_way(rules: dict[str, Any], expression: str,
                                                       kind: str, name: str) -> None:
    found = breaches(expression.removeprefix("f = "), parse_constraints(rules))
    assert (kind, name) in [(breach.kind, breach.name) for breach in found]
    verdict = grade_code(expression.removeprefix("f = "), None, encode(2.0),
                         constraints=rules)
    assert not verdict.correct and not verdict.counted and f"`{name}`" in verdict.message


@pytest.mark.parametrize(("rules", "expression"), [
    (NO_CALL, 'tok_emb.weight[vocab.index("mat")]'),
    (NO_CALL, 'getattr(tok_emb, "weight")[4]'),
    (NO_CALL, "F.embedding(torch.tensor(4), tok_emb.weight)"),
    (NO_CALL, "tok_emb.weight.data[4].clone()"),
    (FROM_DATA, DATA_ANSWER),
    (FROM_DATA, "data[stride * 5 + 1:][:context_length]"),
])
def test_what_the_question_allows_is_still_allowed(rules: dict[str, Any],
                                                   expression: str) -> None:
    assert breaches(expression, parse_constraints(rules)) == []


D_VALUES = [24, 8, 100]
VARY_D = {"vary": {"D": D_VALUES}}


def evaluate_in_python(expression: str) -> Awaitable[dict[str, Any]]:
    """The runner's reply to `expression`, evaluated here (what the tutor sends is plain
    arithmetic in D)."""
    async def reply() -> dict[str, Any]:
        try:
            return {"ok": True, "value": encode(eval(expression, {})), "error": None}
        except Exception as error:  # the runner reports any exception the same way
            return {"ok": False, "value": None, "error": {
                "kind": "exception", "message": f"{type(error).__name__}: {error}"}}
    return reply()


@pytest.mark.parametrize(("answer", "failing"), [
    ("4 * D * D + D + 100 // (D - 8) * 0", "D = 8"),
    ("4 * D * D + D + 1 // (D - 100) * 0", "D = 100"),
    ("4 * D * D + D + [0][D == 24]", "D = 24"),
])
def test_vary_names_the_setting_an_expression_raises_at(answer: str, failing: str) -> None:
    quiz = cast(Quiz, SimpleNamespace(constraints=VARY_D))
    expected = [encode(4 * d * d + d) for d in D_VALUES]
    reply = asyncio.run(evaluate_code(quiz, answer, evaluate_in_python))
    verdict = grade_code(answer, reply, expected, constraints=VARY_D)
    assert verdict.kind == WRONG and verdict.counted
    assert verdict.message.startswith(f"With {failing}: ") and "raised" in verdict.message


# Units: an amount of bytes is read in the unit the question asks in, and only in it.

GIGABYTES_ASKED = ("At that rate, how many gigabytes (10⁹ bytes) does training a "
                   "7-billion-parameter model need for weights, gradients and AdamW's state?")
GIGABYTES_ASKED_SW = ("Kwa kiwango hicho, kufunza modeli yenye vigezo bilioni 7 kunahitaji "
                      "gigabaiti (baiti 10⁹) ngapi kwa uzito, gradienti na hali ya AdamW?")
BYTES_ASKED = "How many bytes does the table take (about 77 MB)?"
TABLE_BYTES = 50257 * 768 * 2


@pytest.mark.parametrize("ask", [GIGABYTES_ASKED, GIGABYTES_ASKED_SW])
@pytest.mark.parametrize(("answer", "kind"), [
    ("112 bytes", WRONG), ("112 baiti", WRONG), ("112 byte", WRONG), ("112 B", WRONG),
    ("112 bn", WRONG), ("112 GB", CORRECT), ("112 gigabaiti", CORRECT), ("112e9 bytes", CORRECT),
    ("0.112 TB", CORRECT), ("104.3 GiB", CORRECT), ("112", CORRECT), ("112 GB.", CORRECT),
    ("GB", UNPARSEABLE),
    ("112 GB GB", UNPARSEABLE), ("GB 112", UNPARSEABLE),
])
def test_a_number_of_bytes_is_not_the_gigabytes_asked(ask: str, answer: str, kind: str) -> None:
    computed = 7e9 * 16 / 1e9
    assert grade("number", answer, computed, ask=ask).kind == kind


@pytest.mark.parametrize(("answer", "kind"), [
    (f"{TABLE_BYTES}", CORRECT), (f"{TABLE_BYTES} bytes", CORRECT), ("77 MB", CORRECT),
    (f"{TABLE_BYTES:,} B", CORRECT), (f"{TABLE_BYTES} MB", WRONG), (f"{TABLE_BYTES} GB", WRONG),
])
def test_a_unit_beside_a_question_in_bytes_is_not_the_unit_asked(answer: str, kind: str) -> None:
    verdict = grade("number", answer, TABLE_BYTES, ask=BYTES_ASKED, shown=["about 77 MB"])
    assert verdict.kind == kind, verdict.message


#: Values a code answer can have that no float holds: `2**2000`, `10**400`, `math.factorial(300)`.
@pytest.mark.parametrize("value", [10**400, -(10**400), 2**2000, [10**400, 1], [[2**1100]]],
                         ids=short)
@pytest.mark.parametrize("expected", [2328, 0.5, float("inf"), float("-inf"), float("nan"),
                                      [1, 2], [[1.0]]], ids=short)
@pytest.mark.parametrize("tolerance", [None, {"rel": 0.01}])
def test_a_code_answer_beyond_a_float_is_judged(value: Any, expected: Any,
                                                tolerance: dict[str, float] | None) -> None:
    reply = {"ok": True, "value": value, "error": None}
    verdict = grade_code("x", reply, encode(expected), tolerance=tolerance)
    assert verdict.kind == WRONG and verdict.counted
    assert len(verdict.message) < 300  # the digits of 2**2000 are not spelled out


def test_a_huge_whole_number_is_right_when_it_is_the_value() -> None:
    reply = {"ok": True, "value": 2**2000, "error": None}
    assert grade_code("2**2000", reply, 2**2000).correct


# Any arithmetic at all: a verdict, and an exact value that stays small.

ATOMS = ["0", "1", "2", "9", "10", "0.5", "1e300", "1e-300", "1e400", "1e-400", "7e9", "e", "pi",
         "1_000", "50,257", "0.0", "-0", "½", "٣"]
arithmetic = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(["ln", "log", "log2", "log10", "exp", "sqrt", "√", "-"]),
                  inner).map(lambda pair: f"{pair[0]}({pair[1]})"),
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "//", "**", "^", "×", "÷"]),
                  inner).map(lambda triple: f"({triple[0]}){triple[1]}({triple[2]})")),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(answer=arithmetic, expected=st.sampled_from([*EXPECTED, float("nan"), float("inf")]))
def test_any_arithmetic_gets_a_verdict(answer: str, expected: Any) -> None:
    verdict = grade("number", answer, expected)
    assert verdict.message
    typed = evaluate(answer)
    if typed is not None and typed.exact is not None:
        exact = typed.exact
        assert max(exact.numerator.bit_length(), exact.denominator.bit_length()) <= MAX_BITS
        assert exact == 0 or abs(math.log10(abs(exact.numerator)) -
                                 math.log10(exact.denominator)) <= MAX_EXPONENT + 1


@pytest.mark.parametrize(("kind", "answer", "expected"), [
    ("shape", "(2, 3).", [2, 3]), ("shape", "2x3.", [2, 3]), ("shape", "(2, 3)?", [2, 3]),
    ("shape", "torch.Size([2, 3]).", [2, 3]), ("shape", "(٢, ٣)", [2, 3]),
    ("shape", "(2, 3)\u200b", [2, 3]),
    ("shape", "5,", [5]), ("dtype", "Float32!", "torch.float32"),
    ("dtype", "torch.float32\u200b", "torch.float32"), ("text", "pre\u200btraining", "pretraining"),
])
def test_a_shape_or_name_ending_a_sentence_is_read(kind: str, answer: str, expected: Any) -> None:
    assert grade(kind, answer, expected).kind == CORRECT
