"""One runnable cell: a Python editor the learner may change, with a reset to the original."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import DescendantFocus
from textual.message import Message
from textual.widgets import Label, TextArea

from tutor.course import Cell


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

    def __init__(self, cell: Cell, source: str) -> None:
        super().__init__(id=f"cell-{cell.index}", classes="cell")
        self.cell = cell
        self.source = source

    def compose(self) -> ComposeResult:
        yield Label(self._title(), classes="cell-title")
        editor = TextArea.code_editor(self.source, language="python", classes="cell-editor")
        editor.styles.height = max(3, self.source.count("\n") + 3)
        yield editor

    @property
    def editor(self) -> TextArea:
        return self.query_one(TextArea)

    def _title(self, state: str = "") -> str:
        edited = " · edited" if self.source != self.cell.source else ""
        tail = f" · {state}" if state else ""
        return f"In [{self.cell.index + 1}]{edited}{tail}"

    def set_state(self, state: str) -> None:
        """Show `ran`, `running…`, `failed` next to the cell number."""
        self.query_one(".cell-title", Label).update(self._title(state))
        self.set_class(state == "failed", "-failed")
        self.set_class(state.startswith("running"), "-running")

    def reset(self) -> None:
        """Put the lesson's original code back."""
        self.editor.load_text(self.cell.source)

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self.source = event.text_area.text
        self.query_one(".cell-title", Label).update(self._title())
        self.post_message(self.Edited(self.cell.index, self.source))

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self.post_message(self.Focused(self.cell.index))
