"""One step of a lesson: its prose, static code, runnable cells and quizzes, in file order."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label

from tutor.course import Cell, Prose, Quiz, StaticCode, Step
from tutor.grading import QuizAttempts
from tutor.ui.widgets.cell_editor import CellEditor
from tutor.ui.widgets.prose import Prose as ProseView
from tutor.ui.widgets.quiz_panel import QuizPanel


class StepView(VerticalScroll):
    """Renders a step; cell sources and quiz states are handed down by the lesson screen."""

    def __init__(
        self, step: Step, total: int, sources: list[str], quizzes: dict[str, QuizAttempts]
    ) -> None:
        super().__init__(id="step")
        self.step = step
        self.total = total
        self.sources = sources
        self.quizzes = quizzes

    def compose(self) -> ComposeResult:
        yield Label(f"{self.step.index + 1}/{self.total} · {self.step.title}", id="step-title")
        for block in self.step.blocks:
            if isinstance(block, Prose):
                yield ProseView(block.text, classes="prose")
            elif isinstance(block, StaticCode):
                yield ProseView(f"```python\n{block.source.rstrip()}\n```", classes="static-code")
            elif isinstance(block, Cell):
                yield CellEditor(block, self.sources[block.index])
            elif isinstance(block, Quiz):
                yield QuizPanel(block, self.quizzes[block.id])
        if not self.step.cells and not self.step.quizzes:
            yield Label("Nothing to run here: F8 goes on to the next step.", classes="step-hint")

    def cell_editors(self) -> list[CellEditor]:
        return list(self.query(CellEditor))

    def quiz_panels(self) -> list[QuizPanel]:
        return list(self.query(QuizPanel))
