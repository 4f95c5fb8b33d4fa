"""The peer for the first-frame benchmark: a bare Textual app with the lesson list's widgets.

It shows the same widgets as `tutor`'s lesson list (a status line, a title, an option list of
the lessons, a footer) and does nothing else: no course parsing, no progress store, no runner.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import Footer, Label, OptionList, Static


class BareApp(App[None]):
    BINDINGS = [("ctrl+q", "quit", "Quit")]  # noqa: RUF012

    def __init__(self, titles: list[str]) -> None:
        super().__init__()
        self.titles = titles

    def compose(self) -> ComposeResult:
        yield Static("tutor › lessons   device: …   runner: starting")
        yield Label("Lessons: ↑/↓ to choose, Enter to open (resumes at the last step)")
        yield OptionList(*[f"{n}. {t}" for n, t in enumerate(self.titles, 1)])
        yield Footer()


if __name__ == "__main__":
    BareApp(sys.argv[1:]).run()
