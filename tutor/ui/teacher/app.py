"""The teacher's live table of the class (`tutor serve` in a terminal).

Everything it shows is read from the class directory (tutor.serve.report), so it can also be
run against a class served elsewhere. When `serve` is given, the app starts the class's server
on its own event loop and shows the server's events below the table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Header, Input, RichLog

from tutor.i18n import N_, _
from tutor.serve.classdir import ClassDir
from tutor.serve.report import StudentRow, class_rows
from tutor.text import printable
from tutor.ui.translated import TranslatedScreen

#: Seconds between two refreshes of the table.
REFRESH_S = 2.0
#: The table's column headings (translated when the table is made).
COLUMNS = (N_("Student"), N_("Online"), N_("Lesson"), N_("Step"), N_("Solved/tried/revealed"),
           N_("Stuck on"), N_("PSS/RSS MiB"), N_("CPU %"))


def cells(row: StudentRow) -> tuple[str, ...]:
    """A student's row as the table's text."""
    return (row.student, _("yes") if row.connected else _("no"), row.lesson or "-",
            "-" if row.step is None else str(row.step + 1),
            f"{row.solved}/{row.attempted}/{row.revealed}", row.stuck or "-",
            f"{row.pss_mib:.0f}/{row.rss_mib:.0f}" if row.connected else "-",
            f"{row.cpu_percent:.0f}" if row.connected else "-")


class TeacherApp(App[int]):
    """The class at a glance; `m` sends a one-line message to every student's app."""

    TITLE = "tutor serve"  # the command's name: not translated
    CSS = """
    #class { height: 1fr; }
    #events { height: 8; border-top: solid $primary; }
    #message { dock: bottom; display: none; }
    #message.-open { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "message", N_("Message everyone"), id="teacher.message"),
        Binding("ctrl+q", "quit", N_("Stop serving"), id="teacher.quit"),
    ]

    def __init__(self, classdir: ClassDir, *,
                 serve: Callable[[Callable[[str], None]], Any] | None = None) -> None:
        super().__init__()
        self.classdir = classdir
        self.serve = serve
        self.service: Any = None
        self.rows: list[StudentRow] = []

    def get_default_screen(self) -> TranslatedScreen[Any]:
        """The table's screen, which shows the bindings in the interface language."""
        return TranslatedScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="class", cursor_type="row", zebra_stripes=True)
        yield RichLog(id="events", markup=False, wrap=True)
        yield Input(placeholder=_("A message for every student (Enter sends, Escape cancels)"),
                    id="message", max_length=200)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = str(self.classdir.root)
        self.query_one("#class", DataTable).add_columns(*(_(column) for column in COLUMNS))
        if self.serve is not None:
            self.start_serving()
        self.refresh_class()
        self.set_interval(REFRESH_S, self.refresh_class)

    def news(self, line: str) -> None:
        """One server event, shown in the log under the table."""
        self.query_one("#events", RichLog).write(printable(line))

    @work(group="serve", exit_on_error=False)
    async def start_serving(self) -> None:
        assert self.serve is not None
        self.service = self.serve(self.news)
        try:
            await self.service.start()
        except Exception as exc:
            self.news(_("cannot serve: {error}").format(error=exc))

    @work(exclusive=True, group="refresh", exit_on_error=False)  # its own group: exclusive
    async def refresh_class(self) -> None:
        """Read the class directory off the event loop, then redraw the table."""
        self.rows = await asyncio.to_thread(class_rows, self.classdir)
        table = self.query_one("#class", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in self.rows:
            table.add_row(*(printable(text) for text in cells(row)), key=row.student)
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))

    def action_message(self) -> None:
        field = self.query_one("#message", Input)
        field.add_class("-open")
        field.focus()

    @on(Input.Submitted, "#message")
    def send_message(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            self.classdir.post_message(text)
            self.news(_("message sent: {text}").format(text=text))
        self.close_message()

    def close_message(self) -> None:
        field = self.query_one("#message", Input)
        field.value = ""
        field.remove_class("-open")
        self.query_one("#class", DataTable).focus()

    def key_escape(self) -> None:
        if self.query_one("#message", Input).has_class("-open"):
            self.close_message()

    async def on_unmount(self) -> None:
        if self.service is not None:
            await self.service.close()
