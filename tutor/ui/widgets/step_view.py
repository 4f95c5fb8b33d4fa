"""One step of a lesson: its prose, static code, runnable cells and quizzes, in file order.

Only the step on screen is built, and a step that was left is freed once it is gone (see
tutor/ui/widgets/release.py: before, walking through a lesson and back grew the UI by ~26 MiB a
round); tests/ui/test_ui_memory.py checks it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from tutor.course import Cell, Prose, Quiz, StaticCode, Step
from tutor.grading import QuizAttempts
from tutor.i18n import _
from tutor.ui.widgets.cell_editor import CellEditor
from tutor.ui.widgets.prose import Prose as ProseView
from tutor.ui.widgets.quiz_panel import QuizPanel
from tutor.ui.widgets.release import release_removed_widgets


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
            last = self.step.index == self.total - 1
            yield Label(_("Nothing to run here: this is the lesson's last step.") if last else
                        _("Nothing to run here: F8 goes on to the next step."),
                        classes="step-hint")

    def on_unmount(self) -> None:
        # Once it is gone (the next step shown, or the lesson left), what it took with it goes.
        self.app.call_after_refresh(release_removed_widgets, self.app)

    def show_end(self, text: str, kind: str) -> None:
        """A line at the end of the step about the whole lesson (complete, or what is still
        open); "" takes it away. It is not scrolled to: the learner reaches it reading on."""
        lines = self.query("#lesson-end")
        if not text:
            lines.remove()
            return
        if lines:
            line = self.query_one("#lesson-end", Static)
            line.update(text)
        else:
            line = Static(text, id="lesson-end", markup=False)
            self.mount(line)
        line.set_classes(f"lesson-end {kind}".strip())

    def cell_editors(self) -> list[CellEditor]:
        return list(self.query(CellEditor))

    def quiz_panels(self) -> list[QuizPanel]:
        return list(self.query(QuizPanel))


