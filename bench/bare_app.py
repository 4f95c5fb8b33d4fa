"""The peer for the first-frame benchmark: a bare Textual app with the lesson list's widgets.

It builds the same widget tree as `tutor`'s lesson list (a status bar of four labels, a title,
an option list whose options are a bold title line over a dimmed summary, a footer, a hidden
notice) from `title|summary` arguments, and does nothing else: no course, no progress store,
no runner, no stylesheet of its own.
"""

from __future__ import annotations

import sys

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option


class BareApp(App[None]):
    BINDINGS = [("ctrl+q", "quit", "Quit"), ("f1", "help", "Help")]  # noqa: RUF012

    def __init__(self, lessons: list[tuple[str, str]]) -> None:
        super().__init__()
        self.lessons = lessons

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("tutor › lessons")
            yield Label("")
            yield Label("device: …")
            yield Label("starting runner…")
        yield Label("Lessons: ↑/↓ to choose, Enter to open (resumes at the last step)")
        options = []
        for number, (title, summary) in enumerate(self.lessons, 1):
            line = Text()
            line.append("  ")
            line.append(f"{number}. {title}", style="bold")
            line.append("  0/7 steps · 0/5 quizzes")
            prompt = Group(line, Padding(Text(summary, style="dim"), (0, 0, 0, 5)))
            options.append(Option(prompt, id=f"lesson-{number}"))
        yield OptionList(*options)
        yield Footer()
        notice = Static("This terminal is too small.")
        notice.display = False
        yield notice


if __name__ == "__main__":
    BareApp([tuple(arg.split("|", 1)) for arg in sys.argv[1:]]).run()  # type: ignore[misc]
