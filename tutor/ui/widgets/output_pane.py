"""The Output pane: what the cell printed, streamed as it runs, and any error."""

from __future__ import annotations

from typing import Any

from textual.widgets import Log

#: Lines kept in the pane; the runner already truncates huge output.
MAX_LINES = 2000


class OutputPane(Log):
    """Text printed by the latest run, then its error (message and traceback)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_lines=MAX_LINES, highlight=False, auto_scroll=True, **kwargs)

    def start(self, title: str) -> None:
        """Clear the pane for a new run."""
        self.clear()
        self.write(f"{title}\n")

    def append(self, text: str) -> None:
        """Streamed output from the running cell."""
        self.write(text)

    def finish(self, result: dict[str, Any], streamed: bool) -> None:
        """Show what was not streamed, and the error, once the run is over."""
        if not streamed and result.get("output"):
            self.write(result["output"])
        if self.lines and self.lines[-1]:
            self.write("\n")
        error = result.get("error")
        if error is None:
            self.write_line("✓ done")
            return
        traceback = (error.get("traceback") or "").rstrip()
        if traceback:
            self.write_line(traceback)
        self.write_line(f"✗ {error.get('message', 'The cell failed.')}")
