"""The checks `tutor check` makes on computed answers, without a runner."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tutor.checking import check_lesson, typed_form, ungradeable, unsuitable
from tutor.course import Course, Quiz, parse_lesson


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



class PlottingRunner:
    """An executor whose every cell drew the figures given (the runner's `plots` field)."""

    def __init__(self, plots: object) -> None:
        self.plots = plots

    async def reset(self, namespace: str) -> None:
        return None

    async def drop(self, namespace: str) -> None:
        return None

    async def execute(self, namespace: str, code: str, *, timeout: float | None = None,
                      filename: str = "<cell>") -> dict[str, object]:
        result: dict[str, object] = {"ok": True, "output": "", "error": None}
        if self.plots is not None:
            result["plots"] = self.plots
        return result

    async def evaluate(self, namespace: str, expression: str, *,
                       timeout: float | None = None) -> dict[str, object]:
        return {"ok": True, "value": 1, "error": None}


@pytest.mark.parametrize(("plots", "summary"), [
    (None, []),
    ([], []),
    ([{"title": "loss", "x": None, "series": [{"label": "train", "values": [3.0, 2.0, 1.0]},
                                              {"label": "val", "values": [3.5, 2.5]}]},
      {"title": "", "x": [0.0], "series": [{"label": "", "values": [0.5]}]}],
     [{"title": "loss", "points": 3}, {"title": "", "points": 1}]),
])
def test_check_reports_each_cells_plots(tmp_path: Path, plots: object, summary: object) -> None:
    path = tmp_path / "plots.md"
    path.write_text("---\nid: plots\ntitle: Plots\n---\n\n## One\n\n```python\nx = 1\n```\n")
    lesson, errors = parse_lesson(path)
    assert lesson is not None and not errors
    result = asyncio.run(check_lesson(PlottingRunner(plots), lesson, Course(lessons=[lesson])))
    assert [cell["plots"] for cell in result["cells"]] == [summary]
