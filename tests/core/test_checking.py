"""The checks `tutor check` makes on computed answers, without a runner."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lesson_running import LocalRunner

from tutor.checking import check_lesson, quiz_problem
from tutor.course import Course, Quiz, parse_lesson
from tutor.grading.forms import right_forms, typed_form


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
    assert quiz_problem(make_quiz(kind), value) is None


@pytest.mark.parametrize(("quiz", "value", "words"), [
    (make_quiz("choice", choices=("a", "b")), "c", "not one of the choices"),
    (make_quiz("code"), {"kind": "repr", "repr": "<x>"}, "cannot compare"),
    (make_quiz("shape"), "2x3", "must give a shape"),
    (make_quiz("dtype"), "TORCH.FLOAT32", "must give a torch dtype"),
    (make_quiz("number"), [1.0, 2.0], "not a number"),
    (make_quiz("tensor"), tensor([[1.0, 2.0]], [1, 2], dtype="torch.complex64"),
     "cannot grade a tensor of dtype"),
])
def test_a_value_the_grader_cannot_take_is_reported(quiz: Quiz, value: object, words: str
                                                     ) -> None:
    problem = quiz_problem(quiz, value)
    assert problem is not None and "cannot be graded" in problem and words in problem


@pytest.mark.parametrize(("quiz", "value", "refused"), [
    # 1.5e8 typed to 2 digits is 1% off: a rel 0.001 quiz refuses it, and must.
    (make_quiz("number", tolerance={"rel": 0.001}), 152_000_000, None),
    # An explanation that shows "77 MB" promises 77 MB is right, though 0.3% off: the grader
    # honours the precision the lesson shows.
    (make_quiz("number", tolerance={"rel": 0.001}, shown=("77 MB",)), 77_194_752, None),
    (make_quiz("number", tolerance={"rel": 0.001}, shown=("~77 MB",)), 77_194_752, None),
    # A text quiz whose accepted spelling the grader cannot match.
    (make_quiz("text", accept=("???",)), "context length", "'???'"),
])
def test_check_fails_when_a_right_form_is_refused(quiz: Quiz, value: object,
                                                  refused: str | None) -> None:
    problem = quiz_problem(quiz, value)
    if refused is None:
        assert problem is None
    else:
        assert problem is not None and refused in problem


def test_every_rounding_the_rules_allow_is_graded() -> None:
    forms = right_forms("number", -0.26947890222, tolerance=None)
    assert {"-0.27", "-0.269", "-0.2695", "-2.69e-01", "tensor(-0.26947890222)"} <= set(forms)
    assert "-0.090" in right_forms("number", -0.08982628)
    three = right_forms("number", -1.8845210075, tolerance={"digits": 3})
    assert "-1.9" not in three and "-1.88" in three
    whole = right_forms("number", 124_412_160, tolerance={"digits": 9})
    assert "1.2e+08" not in whole and "124,412,160" in whole


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


def test_the_human_report_counts_plots_and_prints_folder_errors_without_a_line(
        capsys: pytest.CaptureFixture[str]) -> None:
    from tutor.commands.check import _print_human

    cells = [{"index": 0, "line": 9, "ok": True, "error": None,
              "plots": [{"title": "loss", "points": 15}, {"title": "", "points": 3}]}]
    _print_human({"device": "cpu", "torch": "2", "lessons": [
        {"id": "plots", "ok": False, "file": "a.md", "cells": cells, "quizzes": [],
         "errors": [{"file": "folder.md", "line": 0, "message": "not a lesson file"}]}]})
    out = capsys.readouterr().out
    assert "cells 1/1, quizzes 0/0, plots 2" in out
    assert "folder.md: not a lesson file" in out and "folder.md:0" not in out


CODE_LESSON = ("---\nid: zeros\ntitle: Zeros\n---\n\n## One\n\n```python\nimport torch\n```\n\n"
               "```quiz\nid: batch\ntype: code\nask: Zeros shaped (16, 3, 4, 5).\n"
               "answer: torch.zeros(16, 3, 4, 5)\nhints: [a, b]\n```\n\n"
               "```quiz\nid: one\ntype: code\nask: One value.\nanswer: torch.ones(()).sum() * 2\n"
               "hints: [a, b]\n```\n\n"
               "```quiz\nid: number\ntype: code\nask: A number.\nanswer: 0.5 * 3\n"
               "hints: [a, b]\n```\n")


def test_check_grades_each_form_of_a_code_answer_as_the_runner_sends_it(tmp_path: Path
                                                                         ) -> None:
    """`(answer).tolist()`, `(answer).item()` and `torch.tensor(answer)` are evaluated and
    graded like a learner's answer; a list the runner sends cut short fails the check."""
    torch = pytest.importorskip("torch")
    from tutor.runner.values import bounded_repr, encode

    path = tmp_path / "zeros.md"
    path.write_text(CODE_LESSON, encoding="utf-8")
    lesson, errors = parse_lesson(path)
    assert lesson is not None and not errors
    result = asyncio.run(check_lesson(LocalRunner(), lesson, Course(lessons=[lesson])))
    assert [quiz["ok"] for quiz in result["quizzes"]] == [True, True, True], result["quizzes"]

    def cut_lists(value: Any) -> Any:  # the encoding before lists of numbers were kept whole
        if isinstance(value, list) and not isinstance(value, torch.Size):
            return {"kind": "repr", "repr": bounded_repr(value)}
        return encode(value)

    result = asyncio.run(check_lesson(LocalRunner(cut_lists), lesson, Course(lessons=[lesson])))
    batch = result["quizzes"][0]
    assert not batch["ok"] and "(torch.zeros(16, 3, 4, 5)).tolist()" in batch["error"]["message"]
