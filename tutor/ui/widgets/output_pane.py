"""The Output pane: what the cell printed, streamed as it runs, and any error."""

from __future__ import annotations

from typing import Any

from textual.widgets import TextArea

from tutor.i18n import _
from tutor.runner import wire
from tutor.text import printable

#: Characters kept in the pane; older text is dropped (the runner truncates huge output too).
MAX_CHARS = 200_000


class OutputPane(TextArea):
    """Text printed by the latest run, then its error; read-only, wrapped, selectable."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, soft_wrap=True, show_cursor=False,
                         highlight_cursor_line=False, **kwargs)
        # TextArea restarts its blink timer on every insert, even unfocused: an output pane
        # would then redraw a line twice a second forever (traffic on a slow SSH link).
        self.cursor_blink = False

    def start(self, title: str) -> None:
        """Clear the pane for a new run."""
        self.load_text(f"{title}\n")

    def append(self, text: str) -> None:
        """Streamed output from the running cell, control characters escaped (a cell must not
        drive the terminal); keeps the end in view."""
        text = printable(text)
        if len(self.text) + len(text) > MAX_CHARS:
            self.load_text(self.text[-MAX_CHARS // 2:])
        self.insert(text, self.document.end)
        self.scroll_end(animate=False)

    def finish(self, result: wire.ExecuteResult, streamed: bool) -> None:
        """Show what was not streamed, and the error, once the run is over."""
        if not streamed and result.get("output"):
            self.append(result["output"])
        lines = [] if self.text.endswith("\n") else [""]
        error = result.get("error")
        if error is None:
            lines.append(_("✓ done"))
        else:
            traceback = (error.get("traceback") or "").rstrip()
            if traceback:
                lines.append(traceback)
            lines.append(f"✗ {error.get('message') or _('The cell failed.')}")

        # No newline after the last line: an empty row would cost one of the pane's few rows.
        self.append("\n".join(lines))
