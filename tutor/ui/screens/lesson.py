"""The lesson screen: a step's prose and cells, running them, and the result panes (the quizzes'
    keys and workers are in lesson_quizzes.py)."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, TextArea

from tutor.i18n import N_, _
from tutor.study import CellState, LessonSession
from tutor.text import printable
from tutor.ui.screens.help import first_key
from tutor.ui.screens.lesson_quizzes import QuizScreen
from tutor.ui.typed_order import in_typed_order
from tutor.ui.widgets.cell_editor import CellEditor
from tutor.ui.widgets.panes import Panes
from tutor.ui.widgets.release import Footer
from tutor.ui.widgets.status_bar import StatusBar
from tutor.ui.widgets.step_view import StepView
from tutor.ui.widgets.tensor_rows import assigned_names
from tutor.ui.widgets.too_small import TooSmall

#: Layouts F12 cycles through: both areas, the lesson alone, the result panes alone.
ZOOMS = ("both", "lesson", "panes")


class LessonScreen(QuizScreen):
    """One lesson, one step at a time: renders a `LessonSession` and calls it from workers."""

    CSS_PATH = "lesson.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5,ctrl+r", "run_cell", N_("Run"), priority=True, id="run-cell",
                tooltip=N_("Run the current cell (after the cells before it)")),
        # Stop is not in the footer: while a cell runs the status bar says "F6 stops".
        Binding("f6,ctrl+g", "interrupt", N_("Stop"), priority=True, id="interrupt", show=False,
                tooltip=N_("Interrupt the running cell")),
        # Tab indents in a cell editor, so moving between a step's cells has its own keys.
        Binding("ctrl+down,ctrl+f", "next_cell", N_("Cell"), priority=True, id="next-cell",
                tooltip=N_("Go to the step's next cell, into its editor (after the last, the "
                           "first)")),
        Binding("ctrl+up", "previous_cell", N_("Previous cell"), priority=True,
                id="previous-cell", show=False,
                tooltip=N_("Go to the step's previous cell, into its editor")),
        Binding("f7", "previous_step", N_("Prev"), priority=True, id="previous-step",
                tooltip=N_("Previous step")),
        Binding("f8,ctrl+n", "next_step", N_("Next"), priority=True, id="next-step",
                tooltip=N_("Next step")),
        Binding("f3,ctrl+t", "hint", N_("Hint"), priority=True, id="hint",
                tooltip=N_("Show the next hint of the current quiz")),
        Binding("f4,ctrl+o", "reveal", N_("Reveal"), priority=True, id="reveal",
                tooltip=N_("Reveal the computed answer of the current quiz")),
        Binding("f2", "focus_quiz", N_("Answer"), priority=True, id="focus-quiz", show=False,
                tooltip=N_("Go to the answer field of the next quiz")),
        Binding("f9", "reset_cell", N_("Reset cell"), priority=True, id="reset-cell", show=False,
                tooltip=N_("Put the lesson's original code back in the current cell")),
        Binding("f10", "next_pane", N_("Next pane"), priority=True, id="next-pane", show=False,
                tooltip=N_("Show the next result pane (Output, Tensors, Gradients, Graph, "
                           "Plot)")),
        Binding("f12,ctrl+l", "zoom", N_("Zoom"), priority=True, id="zoom", show=False,
                tooltip=N_("Give the lesson, then the result panes, the whole screen (cycles)")),
        Binding("escape", "back", N_("Lessons"), id="back", show=False,
                tooltip=N_("Leave the text field, then go back to the lesson list")),
    ]

    zoom: reactive[str] = reactive("both", init=False)
    """Which area has the screen: `both`, the `lesson` alone or the `panes` alone (F12)."""

    def __init__(self, session: LessonSession, step: int = 0) -> None:
        super().__init__()
        self.session = session
        self.lesson = session.lesson
        self.step_index = session.step_at(step)
        self.current_cell: int | None = None
        self.running = False

    @property
    def sources(self) -> list[str]:
        """The learner's cells as they stand (edited or not)."""
        return self.session.cells.sources

    @property
    def originals(self) -> list[str]:
        return self.session.cells.originals

    @property
    def ran_through(self) -> int:
        """Cells 0..ran_through-1 have run in the learner's namespace."""
        return self.session.cells.ran_through

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Horizontal(id="lesson-body"):
            yield self._step_view()
            yield Panes(id="panes")
        yield Footer(compact=True)
        yield TooSmall()

    def on_mount(self) -> None:
        self.panes.set_keys(first_key(self, "next_pane"), first_key(self, "zoom"))
        self._after_step_change()

    def on_unmount(self) -> None:
        """Free both namespaces' workers: a server must not keep two per visited lesson.

        Run by the app, not this screen: a screen's workers end with it.
        """
        self.app.run_worker(self.session.close(), group="close-sessions", exit_on_error=False)

    def _step_view(self) -> StepView:
        step = self.lesson.steps[self.step_index]
        return StepView(step, len(self.lesson.steps), self.sources, self.session.attempts)

    @property
    def panes(self) -> Panes:
        return self.query_one(Panes)

    async def show_step(self, index: int) -> None:
        """Replace the step view with step `index` and remember the position."""
        self.step_index = index
        await self.step_view.remove()
        await self.query_one("#lesson-body").mount(self._step_view(), before=0)
        self._after_step_change()

    def set_focus(self, widget: Widget | None, scroll_visible: bool = True,
                  from_app_focus: bool = False) -> None:
        """Focus `widget`; a cell's editor entered at its first line comes into view with its
        title, which says what the keys do in there (Tab indents, Escape leaves). Textual
        centres the editor alone, and a cell taller than the lesson's rows lost its title."""
        cell = widget.parent if widget is not None else None
        if scroll_visible and isinstance(widget, TextArea) and isinstance(cell, CellEditor) \
                and widget.cursor_location[0] == 0:
            super().set_focus(widget, scroll_visible=False, from_app_focus=from_app_focus)
            self.call_later(self._show_cell, cell)
            return
        super().set_focus(widget, scroll_visible, from_app_focus)

    def _show_cell(self, cell: CellEditor) -> None:
        if not self.can_view_entire(cell):
            tall = cell.outer_size.height > self.step_view.scrollable_content_region.height
            self.step_view.scroll_to_widget(cell, animate=False, top=tall)

    def _after_step_change(self) -> None:
        step = self.lesson.steps[self.step_index]
        self._set_current(step.cells[0].index if step.cells else None)
        self.panes.set_step_has_cells(bool(step.cells))
        self._show_cell_states()
        # The prose comes first: arrows and PageDown scroll it, Tab reaches the editor.
        self.step_view.focus()
        self._announce(self.session.visit(self.step_index))

    def _show_cell_states(self) -> None:
        states = self.session.cells.states()
        for editor in self.step_view.cell_editors():
            editor.set_state(states[editor.cell.index])

    def _announce(self, lesson_completed: bool) -> None:
        """Say where the lesson stands: in the status bar (✓ once complete) and in a line at
        the end of the step, never in a toast, which covered the top of the step's text.

        The line is on the last step (complete, or which steps are still open) and on the
        step where the lesson was just completed.
        """
        step = self.lesson.steps[self.step_index]
        complete = self.session.lesson_complete
        mark = "✓ " if complete else ""
        self.query_one(StatusBar).location = (
            f"{mark}{self.lesson.title} › {self.step_index + 1}/{len(self.lesson.steps)} "
            f"{step.title}")
        last = self.step_index == len(self.lesson.steps) - 1
        if complete and (lesson_completed or last):
            self.step_view.show_end(
                _("✓ Lesson complete: {title}. Well done! Escape goes back to the lessons.")
                .format(title=self.lesson.title), "-complete")
        elif last:
            still = [str(n + 1) for n in range(len(self.lesson.steps))
                     if n not in self.session.completed]
            self.step_view.show_end(
                _("The lesson is complete once every step is done. Steps still to do: {steps} "
                  "(F7 goes back).")
                .format(steps=", ".join(still)) if still else "", "")

    async def action_next_step(self) -> None:
        """Go on; leaving a step with nothing to do completes it."""
        self._announce(self.session.leave(self.step_index))
        if self.step_index + 1 >= len(self.lesson.steps):
            self.notify(_("This is the last step. Escape goes back to the lessons."), timeout=4)
            return
        await self.show_step(self.step_index + 1)

    async def action_previous_step(self) -> None:
        if self.step_index == 0:
            self.notify(_("This is the first step."), timeout=3)
            return
        await self.show_step(self.step_index - 1)

    async def action_back(self) -> None:
        """Escape leaves a text field first, then the lesson (once its progress is saved, so
        the lesson list shows it)."""
        if isinstance(self.focused, Input | TextArea):
            self.step_view.focus()
            return
        await self.session.writer.flush()
        self.app.clear_notifications()  # what the lesson said is not about the list
        self.dismiss()

    def action_next_pane(self) -> None:
        self.panes.next_pane()

    def action_zoom(self) -> None:
        """Cycle the layout: both areas, the lesson alone, the panes alone."""
        self.zoom = ZOOMS[(ZOOMS.index(self.zoom) + 1) % len(ZOOMS)]

    def watch_zoom(self, zoom: str) -> None:
        for name in ZOOMS:
            self.set_class(name == zoom, f"-zoom-{name}")
        if zoom == "panes":
            self.panes.focus_current()
        elif self.is_mounted and self.focused is not None and self.panes in self.focused.ancestors:
            self.step_view.focus()

    @on(CellEditor.Edited)
    def _cell_edited(self, event: CellEditor.Edited) -> None:
        self.session.edit(event.index, event.source)
        if self.is_mounted:
            self._show_cell_states()

    @on(CellEditor.Focused)
    def _cell_focused(self, event: CellEditor.Focused) -> None:
        self._set_current(event.index)

    def _set_current(self, index: int | None) -> None:
        """Make cell `index` the one F5 runs, and mark it."""
        self.current_cell = index
        for editor in self.step_view.cell_editors():
            editor.current = editor.cell.index == index

    def action_next_cell(self) -> None:
        self._go_to_cell(1)

    def action_previous_cell(self) -> None:
        self._go_to_cell(-1)

    def _go_to_cell(self, offset: int) -> None:
        """Focus the editor `offset` cells from the one being edited (cycling through the
        step's cells); from outside the editors, the current cell's (▶). Its title line
        comes into view with it."""
        editors = self.step_view.cell_editors()
        if not editors:
            self.notify(_("This step has no cell."), timeout=3)
            return
        editing = [n for n, e in enumerate(editors) if e.editor.has_focus]
        if editing:
            position = editing[0] + offset
        else:
            current = [n for n, e in enumerate(editors) if e.cell.index == self.current_cell]
            position = current[0] if current else 0
        target = editors[position % len(editors)]
        self.set_focus(target.editor, scroll_visible=False)
        self.step_view.scroll_to_widget(target, animate=False, top=True)

    @in_typed_order
    def action_reset_cell(self) -> None:
        editor = self._current_editor()
        if editor is None:
            self.notify(_("This step has no cell."), timeout=3)
            return
        editor.reset()
        self.notify(_("Cell {number} is back to the lesson's code.").format(
            number=editor.cell.index + 1), timeout=3)

    def _current_editor(self) -> CellEditor | None:
        for editor in self.step_view.cell_editors():
            if editor.cell.index == self.current_cell:
                return editor
        return None

    @in_typed_order
    def action_run_cell(self) -> None:
        if self.current_cell is None:
            self.notify(_("This step has no cell to run."), timeout=3)
            return
        if self.running:
            self.notify(_("A cell is already running: F6 stops it."), timeout=3)
            return
        self.running = True
        self.run_cell(self.current_cell)

    @work(exclusive=True, exit_on_error=False, group="run")
    async def run_cell(self, index: int) -> None:
        """Run cell `index` (and whatever it needs before it) in the learner's namespace."""
        status = self.query_one(StatusBar)
        editor = self._current_editor()
        output = self.panes.start_output(f"In [{index + 1}]")
        streamed = False

        def on_output(text: str) -> None:
            nonlocal streamed
            streamed = True
            output.append(text)

        status.set_busy(_("⏵ running cell {number}…  F6 stops").format(number=index + 1))
        if editor is not None:
            editor.set_state(CellState.RUNNING)
            editor.scroll_visible()  # the learner sees the code that runs, not only its output
        try:
            outcome = await self.session.run_cell(index, on_output)
        finally:
            self.running = False
            status.set_busy("")
        result = outcome.result
        output.finish(result, streamed)
        self.panes.show_result(result, assigned_names(self.sources[index]))
        self.panes.fit_output()
        error = result["error"]
        if error is not None and error["kind"] in ("crash", "out_of_memory", "timeout"):
            self.notify(printable(error["message"]), severity="error", timeout=8,
                        markup=False)
        self._show_cell_states()
        if result["ok"]:
            self._advance_from(index)
        self._announce(outcome.lesson_completed)

    def _advance_from(self, index: int) -> None:
        """After a good run, the step's next cell becomes current (F5, F5… runs them in turn)."""
        editors = self.step_view.cell_editors()
        following = [e for e in editors if e.cell.index > index]
        if not following:
            return
        was_editing = any(e.editor.has_focus for e in editors)
        self._set_current(following[0].cell.index)
        if was_editing:
            following[0].editor.focus()
        following[0].scroll_visible()

    def action_interrupt(self) -> None:
        if not self.running:
            self.notify(_("No cell is running."), timeout=3)
            return
        self.interrupt()

    @work(exclusive=True, exit_on_error=False, group="interrupt")
    async def interrupt(self) -> None:
        """Stop the learner's running cell; the run worker reports how it ended."""
        await self.session.interrupt()
