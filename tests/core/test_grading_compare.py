"""compare_values (code answers), tolerance parsing and per-quiz attempt state."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tutor.grading import QuizAttempts, Tolerance, Verdict, compare_values, grade, parse_tolerance


def tensor(values: Any, dtype: str = "torch.float32", shape: list[int] | None = None) -> dict:
    if shape is None:
        shape, inner = [], values
        while isinstance(inner, list):
            shape.append(len(inner))
            inner = inner[0] if inner else None
    return {"kind": "tensor", "values": values, "dtype": dtype, "shape": shape}


X = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
X_T = [list(row) for row in zip(*X, strict=True)]
F32_STEP = 2.0**-23  # one float32 ulp at 1.0


@pytest.mark.parametrize(
    ("got", "expected", "tolerance", "correct", "words"),
    [
        (tensor(X), tensor(X), None, True, "torch.float32"),
        (tensor([[1.0 + F32_STEP, 2.0, 3.0], [4.0, 5.0, 6.0]]), tensor(X), None, True,
         "about 5 significant digits"),
        (tensor([[1.001, 2.0, 3.0], [4.0, 5.0, 6.0]]), tensor(X), None, False, "1 of 6"),
        (tensor([[1.001, 2.0, 3.0], [4.0, 5.0, 6.0]], "torch.float16"),
         tensor(X, "torch.float16"), None, True, "about 3 significant digits"),
        (tensor([[1.001, 2.0, 3.0], [4.0, 5.0, 6.0]]), tensor(X), {"abs": 0.01}, True,
         "within ±0.01"),
        (tensor(X_T), tensor(X), None, False, "right sizes"),
        (tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), tensor(X), None, False, "shape (6,)"),
        (tensor(X, "torch.float64"), tensor(X), None, False, "torch.float64"),
        (tensor([[1, 2, 3], [4, 5, 6]], "torch.int64"), tensor(X), None, False, "torch.int64"),
        (tensor([1, 2], "torch.int64"), tensor([1, 2], "torch.int64"), None, True, "exactly"),
        (tensor([1, 3], "torch.int64"), tensor([1, 2], "torch.int64"), None, False, "exactly"),
        (tensor([math.nan, 1.0]), tensor([math.nan, 1.0]), None, True, "Correct"),
        (tensor([math.inf]), tensor([-math.inf]), None, False, "holds inf, not the computed value"),
        (tensor(None, "torch.float32", [2, 3]), tensor(None, "torch.float32", [2, 3]), None,
         True, "Correct"),
        (tensor(["(1+2j)"], "torch.complex64", [1]), tensor(["(1+2j)"], "torch.complex64", [1]),
         None, True, "Correct"),
        (X, tensor(X), None, True, "every value agrees"),
        (tensor(X), X, None, True, "every value agrees"),
        (6, 6, None, True, "exactly"),
        (7, 6, None, False, "7, is 1 more than the computed whole number"),
        (6.0, 6, None, True, "Correct"),
        (0.1 + 0.2, 0.3, None, True, "significant digits"),
        (0.31, 0.3, None, False, "not the computed"),
        (0.31, 0.3, {"rel": 0.05}, True, "within 5% relative"),
        (math.nan, math.nan, None, True, "Correct"),
        (True, True, None, True, "True"),
        (1, True, None, False, "an integer; a bool"),
        ("float32", "float32", None, True, "Correct"),
        ("float64", "float32", None, False, "not the computed"),
        ([2, 3], [2, 3], None, True, "2 items"),
        ([3, 2], [2, 3], None, False, "[0]"),
        ([2, 3, 1], [2, 3], None, False, "3 items"),
        ({"a": 1.0}, {"a": 1.0}, None, True, "Correct"),
        ({"a": 1.0}, {"b": 1.0}, None, False, "keys"),
        ({"kind": "repr", "repr": "Linear(10, 5)"}, {"kind": "repr", "repr": "Linear(10, 5)"},
         None, True, "Linear"),
        ({"kind": "repr", "repr": "Linear(10, 4)"}, {"kind": "repr", "repr": "Linear(10, 5)"},
         None, False, "not the computed"),
        (None, None, None, True, "Correct"),
        (None, 1.0, None, False, "None; a float"),
    ],
)
def test_compare_values(got: Any, expected: Any, tolerance: dict | None, correct: bool,
                        words: str) -> None:
    verdict = compare_values(got, expected, tolerance)
    assert isinstance(verdict, Verdict)
    assert verdict.correct is correct, verdict.message
    assert words in verdict.message
    assert verdict.counted


def test_compare_wrong_values_do_not_show_expected() -> None:
    verdict = compare_values(tensor([[9.5, 2.0, 3.0], [4.0, 5.0, 6.0]]), tensor(X))
    assert not verdict.correct
    assert "1.0" not in verdict.message


@pytest.mark.parametrize(
    ("mapping", "tolerance"),
    [
        (None, Tolerance()),
        ({}, Tolerance()),
        ({"digits": 3}, Tolerance(digits=3)),
        ({"abs": 0.01}, Tolerance(absolute=0.01)),
        ({"rel": 1e-3}, Tolerance(relative=1e-3)),
    ],
)
def test_parse_tolerance(mapping: dict | None, tolerance: Tolerance) -> None:
    assert parse_tolerance(mapping) == tolerance


@pytest.mark.parametrize(
    "mapping",
    [{"digits": 0}, {"digits": 2.5}, {"digits": 3.0}, {"digits": 18}, {"abs": -1},
     {"abs": "small"}, {"rel": math.nan}, {"rel": math.inf}, {"abs": 0}, {"rel": 0.0},
     {"digits": 2, "rel": 0.1}, {"abs": 1, "rel": 0.1}, {"ulp": 1}, {"abs": True}],
)
def test_parse_tolerance_rejects(mapping: dict) -> None:
    with pytest.raises(ValueError):
        parse_tolerance(mapping)


HINTS = ["Use the chain rule.", "dL/dw = (a - y) * x."]


def test_hints_are_shown_one_at_a_time_and_counted() -> None:
    state = QuizAttempts("w-grad")
    assert [state.next_hint(HINTS) for _ in range(3)] == [*HINTS, None]
    assert state.hints_shown == len(HINTS)
    assert state.shown_hints(HINTS) == HINTS


def test_attempts_track_first_try_and_solution() -> None:
    state = QuizAttempts("w-grad")
    state.record(grade("number", "w.grad", -0.0898))
    assert state.attempts == 0 and state.first_attempt_correct is None
    state.record(grade("number", "0.0898", -0.0898))
    state.record(grade("number", "-0.0898", -0.0898))
    assert (state.attempts, state.first_attempt_correct, state.solved) == (2, False, True)
    assert state.solved_unaided
    state.next_hint(HINTS)
    assert not state.solved_unaided


def test_first_try_unaided_and_reveal() -> None:
    state = QuizAttempts("q")
    state.record(grade("shape", "2x3", [2, 3]))
    assert state.first_attempt_correct and state.solved_unaided
    other = QuizAttempts("r")
    other.reveal()
    assert other.revealed and not other.solved


def test_verdict_kind_defaults_from_correct() -> None:
    assert Verdict(True, "ok").kind == "correct"
    assert Verdict(False, "no").kind == "wrong"


def test_identical_values_read_as_exactly_not_as_digits() -> None:
    """`.permute(0, 2, 1)` for `.transpose(1, 2)`: the same numbers; a learner read "agrees to
    about 5 significant digits" as a difference."""
    values = [[0.1 * n + 0.37, -2.5 / (n + 1)] for n in range(3)]
    tensor = {"kind": "tensor", "values": values, "dtype": "torch.float32", "shape": [3, 2]}
    same = compare_values(dict(tensor), tensor)
    assert same.correct and "agrees exactly" in same.message
    nudged = [[v * (1 + 3e-7) for v in row] for row in values]
    close = compare_values({**tensor, "values": nudged}, tensor)
    assert close.correct and "exactly" not in close.message
