"""The checks `tutor check` makes on computed answers, without a runner."""

from __future__ import annotations

import pytest

from tutor.checking import typed_form, ungradeable, unsuitable
from tutor.course import Quiz


def make_quiz(kind: str, **extra: object) -> Quiz:
    return Quiz(id="q", type=kind, ask="?", answer="x", line=1, cells_before=0, **extra)  # type: ignore[arg-type]


def tensor(values: object, shape: list[int], dtype: str = "torch.float32") -> dict[str, object]:
    return {"kind": "tensor", "values": values, "shape": shape, "dtype": dtype}


@pytest.mark.parametrize(("kind", "value", "typed"), [
    ("number", 0.1, "0.1"),
    ("number", tensor([0.5], [1]), "0.5"),
    ("number", tensor(2.5, []), "2.5"),
    ("shape", [2, 3], "(2, 3)"),
    ("shape", [], "()"),
    ("dtype", "torch.int64", "torch.int64"),
    ("tensor", tensor([[1.0, 2.0]], [1, 2]), "[[1.0, 2.0]]"),
])
def test_typed_form_is_what_a_learner_would_type(kind: str, value: object, typed: str) -> None:
    assert typed_form(kind, value) == typed
    assert ungradeable(make_quiz(kind), value) is None


def test_choice_outside_choices_and_repr_values_are_unsuitable() -> None:
    assert "not one of the choices" in (unsuitable(make_quiz("choice", choices=("a", "b")), "c")
                                        or "")
    assert "cannot compare" in (unsuitable(make_quiz("code"), {"kind": "repr", "repr": "<x>"})
                                or "")
    assert unsuitable(make_quiz("shape"), [2, 3]) is None
    assert "shape" in (unsuitable(make_quiz("shape"), "2x3") or "")


def test_a_value_the_grader_cannot_take_is_reported() -> None:
    complex_tensor = tensor([[1.0, 2.0]], [1, 2], dtype="torch.complex64")
    problem = ungradeable(make_quiz("tensor"), complex_tensor)
    assert problem is not None and "cannot be graded" in problem

