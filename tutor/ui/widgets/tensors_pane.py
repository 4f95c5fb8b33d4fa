"""The Tensors pane: every tensor and parameter in the learner's namespace."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from tutor.i18n import N_, _
from tutor.ui.labels import dtype_text, shape_text

COLUMNS = (N_("name"), N_("shape"), "dtype", N_("device"), "requires_grad", "grad",
           N_("values"))


def name_cell(name: str, changed: bool) -> Text:
    """A row's name; bold when the latest run created or changed that tensor."""
    return Text(name, style="bold" if changed else "")


class TensorsPane(DataTable[str | Text]):
    """Name, shape, dtype, device, requires_grad, grad shape and a preview, one row each.

    Rows come in the order `tensor_rows.order_entries` gives (the latest run's tensors first).
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*(_(column) for column in COLUMNS))

    def show(self, tensors: list[dict[str, Any]], changed: set[str] | None = None) -> None:
        """Replace the rows with this snapshot's tensors, in the order given."""
        self.clear()
        for entry in tensors:
            grad = entry.get("grad")
            self.add_row(
                name_cell(entry["name"], entry["name"] in (changed or ())),
                shape_text(entry.get("shape")),
                dtype_text(entry.get("dtype", "")),
                entry.get("device", ""),
                "yes" if entry.get("requires_grad") else "no",
                shape_text(grad["shape"]) if grad else "—",
                entry.get("preview", ""),
                key=entry["name"],
            )
