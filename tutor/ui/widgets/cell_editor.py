"""One runnable cell: a Python editor the learner may change, with a reset to the original."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import DescendantFocus
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label, TextArea

from tutor.course import Cell
from tutor.i18n import _
from tutor.ui.labels import cell_state_text


def shown_text(source: str) -> str:
    """A cell's code as the editor shows it: without trailing blank lines, which at 80x24 would
    each cost a row of the lesson."""
    return source.rstrip("\n")


class CellEditor(Vertical):
    """A cell's title line and its code editor; edits and focus go up as messages."""

    @dataclass
    class Edited(Message):
        """The learner changed cell `index`; `source` is its text now."""

        index: int
        source: str

    @dataclass
    class Focused(Message):
        """Cell `index` became the current cell."""

        index: int

    current: reactive[bool] = reactive(False)
    """Whether this is the cell F5 runs (marked with ▶)."""

    def __init__(self, cell: Cell, source: str) -> None:
        super().__init__(id=f"cell-{cell.index}", classes="cell")
        self.cell = cell
        self.source = source
        self.state = ""

    def compose(self) -> ComposeResult:
        yield Label(self._title(), classes="cell-title")
        # Long lines wrap (a continuation has no line number) rather than run off the right edge:
        # at 80 columns, or beside the panes, the editor is narrower than some lesson code.
        yield TextArea.code_editor(shown_text(self.source), language="python", soft_wrap=True,
                                   classes="cell-editor")

    @property
    def editor(self) -> TextArea:
        return self.query_one(TextArea)

    def _title(self) -> str:
        marker = "▶ " if self.current else "  "
        edited = _(" · edited") if shown_text(self.source) != shown_text(self.cell.source) else ""
        words = cell_state_text(self.state)
        tail = f" · {words}" if words else ""
        hint = _("  (F5 runs it)") if self.current and not words else ""
        return f"{marker}In [{self.cell.index + 1}]{edited}{tail}{hint}"

    def watch_current(self, current: bool) -> None:
        self.set_class(current, "-current")
        if self.is_mounted:
            self.query_one(".cell-title", Label).update(self._title())

    def set_state(self, state: str) -> None:
        """Show the cell's state (a `tutor.study.CellState`'s value: `ran`, `running`,
        `failed`, `not-run`) in words next to the cell number."""
        self.state = state
        self.query_one(".cell-title", Label).update(self._title())
        self.set_class(state == "failed", "-failed")
        self.set_class(state.startswith("running"), "-running")

    def reset(self) -> None:
        """Put the lesson's original code back."""
        self.editor.load_text(shown_text(self.cell.source))

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        text = event.text_area.text
        self.source = self.cell.source if text == shown_text(self.cell.source) else text
        self.query_one(".cell-title", Label).update(self._title())
        self.post_message(self.Edited(self.cell.index, self.source))

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self.post_message(self.Focused(self.cell.index))
