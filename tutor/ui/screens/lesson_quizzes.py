"""The quiz half of the lesson screen: which quiz F2, F3 and F4 mean, and the workers that grade
an answer or reveal the computed one (the session decides; this shows what it said)."""

from __future__ import annotations

from typing import Any

from textual import on, work

from tutor.course import Quiz
from tutor.i18n import _
from tutor.runner.client import RunnerError
from tutor.runner.wire import is_tensor
from tutor.study import EDITED_NOTE, LessonSession
from tutor.ui.labels import shape_text, value_text
from tutor.ui.widgets.notices import OneNotice
from tutor.ui.widgets.quiz_panel import QuizPanel
from tutor.ui.widgets.step_view import StepView


class QuizScreen(OneNotice):
    """A screen showing a step's quizzes; the lesson screen is one. Its bindings (F2, F3, F4)
    are declared by the lesson screen, in the footer's order."""

    session: LessonSession

    @property
    def step_view(self) -> StepView:
        return self.query_one(StepView)

    def _show_cell_states(self) -> None:
        """Mark each cell's state after a verdict (an answer can run the cells)."""

    def _announce(self, lesson_completed: bool) -> None:
        """Say where the lesson stands after a verdict."""

    def _current_quiz(self) -> QuizPanel | None:
        panels = self.step_view.quiz_panels()
        for panel in panels:
            if self.focused is not None and panel in self.focused.ancestors_with_self:
                return panel
        unsolved = [p for p in panels if not p.state.solved and not p.state.revealed]
        candidates = unsolved or panels
        return candidates[0] if candidates else None

    def action_focus_quiz(self) -> None:
        """Focus the answer field of the step's next open quiz (cycling once all are done).

        Focus moves now, not after a refresh: keys typed straight after F2 are already queued
        and must reach the answer field.
        """
        panels = self.step_view.quiz_panels()
        if not panels:
            self.notify(_("This step has no quiz."), timeout=3)
            return
        position = 0
        for index, panel in enumerate(panels):
            if self.focused is not None and panel in self.focused.ancestors_with_self:
                done = panel.state.solved or panel.state.revealed
                in_field = self.focused is panel.answer_field
                position = index + 1 if in_field or done else index
                break
        order = panels[position:] + panels[:position]
        open_quizzes = [p for p in order if not p.state.solved and not p.state.revealed]
        target = (open_quizzes or order)[0]
        self.set_focus(target.answer_field, scroll_visible=False)
        # The quiz from its title if it fits; the answer field in any case (over a plot the
        # lesson has 7 rows at 80x24, fewer than a quiz with choices).
        target.scroll_visible(animate=False)
        target.answer_field.scroll_visible(animate=False)

    def action_hint(self) -> None:
        panel = self._current_quiz()
        if panel is None:
            self.notify(_("This step has no quiz."), timeout=3)
            return
        self._show_hint(panel)

    def action_reveal(self) -> None:
        panel = self._current_quiz()
        if panel is None:
            self.notify(_("This step has no quiz."), timeout=3)
            return
        self.reveal(panel)

    @on(QuizPanel.HintRequested)
    def _hint_requested(self, event: QuizPanel.HintRequested) -> None:
        self._show_hint(self._panel(event.quiz_id))

    @on(QuizPanel.RevealRequested)
    def _reveal_requested(self, event: QuizPanel.RevealRequested) -> None:
        self.reveal(self._panel(event.quiz_id))

    @on(QuizPanel.Answered)
    def _answered(self, event: QuizPanel.Answered) -> None:
        self.check_answer(self._panel(event.quiz_id), event.text)

    def _panel(self, quiz_id: str) -> QuizPanel:
        return self.step_view.query_one(f"#quiz-{quiz_id}", QuizPanel)

    def _show_hint(self, panel: QuizPanel) -> None:
        panel.show_hint(self.session.hint(panel.quiz))

    @work(exclusive=True, exit_on_error=False, group="quiz")
    async def check_answer(self, panel: QuizPanel, text: str) -> None:
        """Grade an answer against the computed value (the session records it if it counts)."""
        try:
            outcome = await self.session.check(panel.quiz, text)
        except (RunnerError, ValueError) as exc:
            panel.show_problem(str(exc))
            return
        if outcome.already_solved:  # Enter on Check again, or curiosity: graded, never counted
            panel.show_recheck(outcome.verdict)
        else:
            panel.show_verdict(outcome.verdict, not_counted=outcome.not_counted)
        panel.show_note(outcome.note)
        self._show_cell_states()
        self._announce(outcome.lesson_completed)

    @work(exclusive=True, exit_on_error=False, group="quiz")
    async def reveal(self, panel: QuizPanel) -> None:
        """Show the computed answer, and record that it was shown."""
        quiz = panel.quiz
        try:
            expected, completed = await self.session.reveal(quiz)
        except (RunnerError, ValueError) as exc:
            panel.show_problem(str(exc))
            return
        panel.show_answer(revealed_text(quiz, expected))
        panel.show_note(_(EDITED_NOTE) if quiz.type != "task"
                        and self.session.cells_edited_before(quiz) else "")
        self._announce(completed)


def revealed_text(quiz: Quiz, expected: Any) -> str:
    """A revealed answer as the learner would type it (a task's: its solution's code)."""
    if quiz.type == "task":
        return _("replace the cell above with:\n{code}").format(code=expected)

    if expected is None and quiz.accept:
        return quiz.accept[0]
    if quiz.type == "tensor" and is_tensor(expected) and expected["values"] is not None:
        # The values as the answer field takes them (typed back, they are right), then the rest.
        return _("{values}  (shape {shape}, {dtype})").format(
            values=expected["values"], shape=shape_text(expected.get("shape")),
            dtype=expected.get("dtype"))
    if quiz.type == "code":
        return f"{quiz.answer}  →  {value_text(expected)}"
    return value_text(expected)
