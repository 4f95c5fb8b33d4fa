"""The top line of every screen: where the learner is, the device, and the runner's state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label

from tutor.text import printable


class StatusBar(Horizontal):
    """Location on the left; device and runner state on the right (mirrored from the app)."""

    location: reactive[str] = reactive("tutor")
    """Where the learner is, e.g. `Autograd › 3/7 The chain rule`."""

    def compose(self) -> ComposeResult:
        yield Label(printable(self.location), id="location", markup=False)
        yield Label("", id="busy")
        yield Label("", id="device")
        yield Label("", id="runner-state")

    def on_mount(self) -> None:
        self.watch(self.app, "device_text", self._show_device)
        self.watch(self.app, "runner_text", self._show_runner)
        self.watch(self.app, "runner_class", self._style_runner)

    def watch_location(self, location: str) -> None:
        if self.is_mounted:
            self.query_one("#location", Label).update(printable(location))

    def set_busy(self, text: str) -> None:
        """Show what is running (`running cell 3…`), or nothing."""
        busy = self.query_one("#busy", Label)
        busy.update(text)
        busy.display = bool(text)

    def _show_device(self, text: str) -> None:
        self.query_one("#device", Label).update(text)

    def _show_runner(self, text: str) -> None:
        self.query_one("#runner-state", Label).update(text)

    def _style_runner(self, name: str) -> None:
        label = self.query_one("#runner-state", Label)
        label.set_classes(name)
