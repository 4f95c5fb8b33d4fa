"""The Gradients pane: every tensor or parameter that holds a gradient, with its values."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from tutor.i18n import _
from tutor.runner import wire
from tutor.ui.labels import shape_text
from tutor.ui.widgets.tensors_pane import name_cell, text_cell


class GradientsPane(DataTable[Text]):
    """One row per tensor whose `.grad` is set; empty until something calls `backward()`.

    The values come before the shape, so a narrow pane shows them first.
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.add_columns(_("name"), _("grad values"), _("grad shape"))

    def show(self, tensors: list[wire.TensorEntry], changed: set[str] | None = None) -> None:
        """Replace the rows with the gradients in this snapshot, in the order given."""
        self.clear()
        for entry in tensors:
            grad = entry.get("grad")
            if grad:
                self.add_row(
                    name_cell(entry["name"], entry["name"] in (changed or ())),
                    text_cell(grad.get("preview", ""), 48),
                    Text(shape_text(grad.get("shape"))),
                    key=entry["name"],
                )
