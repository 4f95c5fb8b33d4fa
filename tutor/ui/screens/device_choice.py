"""Asked when the runner cannot start on the device that was asked for: use the CPU instead?"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label

from tutor.i18n import N_, _
from tutor.text import printable
from tutor.ui.translated import TranslatedModalScreen


class DeviceChoiceScreen(TranslatedModalScreen[bool]):
    """Says why the runner did not start; dismissed with True to run on the CPU instead."""

    DEFAULT_CSS = """
    DeviceChoiceScreen { align: center middle; }
    DeviceChoiceScreen > Vertical {
        width: 70; height: auto; padding: 1 2; border: thick $error; background: $surface;
    }
    DeviceChoiceScreen Label { width: 1fr; margin-bottom: 1; }
    DeviceChoiceScreen #device-problem { text-style: bold; }
    DeviceChoiceScreen Horizontal { height: auto; }
    DeviceChoiceScreen Button { margin-right: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,c", "use_cpu", N_("Use the CPU"), id="use-cpu", priority=True),
        Binding("escape", "keep", N_("Stay without a runner"), id="keep-device"),
    ]

    def __init__(self, device: str, reason: str) -> None:
        super().__init__()
        self.device = device
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical():
            # The headline names the device; the runner's own sentence says why (it began
            # "The runner cannot compute on 'cuda': The runner cannot start: …" before).
            yield Label(_("Cells cannot run on '{device}'.").format(
                device=printable(self.device)), markup=False, id="device-problem")
            yield Label(printable(self.reason), markup=False, id="device-reason")
            yield Label(_("Run the lessons on the CPU instead? Enter: use the CPU. Escape: stay "
                          "without a runner (cells cannot run)."), markup=False)
            with Horizontal():
                yield Button(_("Use the CPU"), id="use-cpu", variant="primary", compact=True)
                yield Button(_("Stay"), id="keep", compact=True)


    def action_use_cpu(self) -> None:
        self.dismiss(True)

    def action_keep(self) -> None:
        self.dismiss(False)

    @on(Button.Pressed, "#use-cpu")
    def _use_cpu(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def _keep(self) -> None:
        self.dismiss(False)
