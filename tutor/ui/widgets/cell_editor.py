"""One runnable cell: a Python editor the learner may change, with a reset to the original."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.events import DescendantBlur, DescendantFocus, Key
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label, TextArea

from tutor.course import Cell
from tutor.i18n import _
from tutor.study.cells import CellState
from tutor.ui.labels import cell_state_text
from tutor.ui.widgets.code_theme import code_theme
from tutor.ui.widgets.keys_in_order import KeysInOrder
from tutor.ui.widgets.release import release_removed_widgets


def shown_text(source: str) -> str:
    """A cell's code as the editor shows it: without trailing blank lines, which at 80x24 would
    each cost a row of the lesson."""
    return source.rstrip("\n")


def _leading(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" \t"))]


def _open_brackets(line: str, depth: int, quote: str | None) -> tuple[int, str | None]:
    """The bracket depth and the open string quote after `line`, from those before it (strings
    and comments are skipped; a one-quote string ends with its line)."""
    i = 0
    while i < len(line):
        if quote is not None:
            if line[i] == "\\":
                i += 2
            elif line.startswith(quote, i):
                i, quote = i + len(quote), None
            else:
                i += 1
            continue
        char = line[i]
        if char == "#":
            break
        if char in "'\"":
            quote = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else char
            i += len(quote)
            continue
        depth += char in "([{"
        depth = max(depth - (char in ")]}"), 0)
        i += 1
    return depth, quote if quote is not None and len(quote) == 3 else None


def next_indent(before: str, width: int = 4) -> str:
    """The indentation of a new line after `before` (the cell's text up to the cursor).

    Inside brackets (or a triple-quoted string), the current line's. Otherwise that of the line
    where the statement began, not of its last continuation line (after `plot(x,` / `       y)`
    a new statement starts where `plot` did); `width` spaces more after a `:` that opens a block.
    """
    lines = before.split("\n")
    depth, quote, start = 0, None, 0
    for number, line in enumerate(lines):
        if depth == 0 and quote is None:
            start = number
        depth, quote = _open_brackets(line, depth, quote)
    current = lines[-1]
    if depth or quote:
        return _leading(current)
    indent = _leading(lines[start])
    code = current.split("#", 1)[0].rstrip() if "#" in current else current.rstrip()
    return indent + " " * width if code.endswith(":") else indent


class CodeEditor(KeysInOrder, TextArea, inherit_bindings=False):
    """A Python editor whose keys stay out of the lesson's way.

    TextArea binds F6 and F7 (select line, select all); the lesson binds them first, so they never
    worked here, but they put F6 and F7 at the head of the footer while an editor had focus.
    """

    BINDINGS = [  # noqa: RUF012 (Textual declares BINDINGS without ClassVar)
        b for b in TextArea.BINDINGS if not (isinstance(b, Binding) and b.key in ("f6", "f7"))
    ]

    async def _on_key(self, event: Key) -> None:
        """Enter keeps the line's indentation, one level more after a `:` (`for ...:`).

        Once the default is prevented, Textual calls neither KeysInOrder's nor TextArea's
        `_on_key`; other keys go on to them (the editor's bindings, in order; then text).
        """
        if event.key != "enter" or self.read_only:
            return
        event.stop()
        event.prevent_default()
        start, end = self.selection
        row, column = min(start, end)
        before = self.get_text_range((0, 0), (row, column))
        self.replace("\n" + next_indent(before, self.indent_width),
                     start, end, maintain_selection_offset=False)

    def on_mount(self) -> None:
        self._follow_theme()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._follow_theme())

    def _follow_theme(self) -> None:
        """Syntax colours from the app's theme (see code_theme)."""
        name = f"tutor-{self.app.theme}"
        if name not in self.available_themes:
            # Asked afresh: `app.theme_variables` still holds the old theme's while the
            # change is being announced.
            variables = self.app.get_css_variables()
            self.register_theme(code_theme(name, variables, self.app.current_theme.ansi))
        self.theme = name


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
        self.state: CellState | None = None

    def compose(self) -> ComposeResult:
        yield Label(self._title(), classes="cell-title")
        # Long lines wrap (a continuation has no line number) rather than run off the right edge:
        # at 80 columns, or beside the panes, the editor is narrower than some lesson code.
        yield CodeEditor.code_editor(shown_text(self.source), language="python", soft_wrap=True,
                                     classes="cell-editor")

    @property
    def editor(self) -> TextArea:
        return self.query_one(TextArea)

    def _title(self) -> str:
        marker = "▶ " if self.current else "  "
        edited = _(" · edited") if shown_text(self.source) != shown_text(self.cell.source) else ""
        words = cell_state_text(self.state)
        tail = f" · {words}" if words else ""
        if self.is_mounted and self.editor.has_focus:
            hint = _("  (F5 runs · Tab indents · Esc leaves)")
        else:
            hint = _("  (F5 runs it)") if self.current and not words else ""
        return f"{marker}In [{self.cell.index + 1}]{edited}{tail}{hint}"

    def watch_current(self, current: bool) -> None:
        self.set_class(current, "-current")
        if self.is_mounted:
            self.query_one(".cell-title", Label).update(self._title())

    def set_state(self, state: CellState | None) -> None:
        """Show the cell's state in words next to the cell number (None: nothing known, as
        after the lesson's code is put back)."""
        ran = self.state is CellState.RUNNING and state is not CellState.RUNNING
        self.state = state
        if ran:  # what decoding the run's reply took can go back (a large reply: MiBs)
            self.app.call_after_refresh(release_removed_widgets, self.app, full=False)
        self.query_one(".cell-title", Label).update(self._title())
        self.set_class(state is CellState.FAILED, "-failed")
        self.set_class(state is CellState.RUNNING, "-running")

    def reset(self) -> None:
        """Put the lesson's original code back; what the old code did (`failed`, `ran`) no
        longer describes it."""
        self.editor.load_text(shown_text(self.cell.source))
        self.set_state(None)

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        text = event.text_area.text
        self.source = self.cell.source if text == shown_text(self.cell.source) else text
        self.query_one(".cell-title", Label).update(self._title())
        self.post_message(self.Edited(self.cell.index, self.source))

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self.query_one(".cell-title", Label).update(self._title())
        self.post_message(self.Focused(self.cell.index))

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self.query_one(".cell-title", Label).update(self._title())
