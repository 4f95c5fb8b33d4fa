"""The Tensors pane: every tensor and parameter in the learner's namespace."""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable

from tutor.ui.labels import dtype_text, shape_text

COLUMNS = ("name", "shape", "dtype", "device", "requires_grad", "grad", "values")


class TensorsPane(DataTable[str]):
    """Name, shape, dtype, device, requires_grad, grad shape and a preview, one row each."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*COLUMNS)

    def show(self, tensors: list[dict[str, Any]]) -> None:
        """Replace the rows with this snapshot's tensors."""
        self.clear()
        for entry in tensors:
            grad = entry.get("grad")
            self.add_row(
                entry["name"],
                shape_text(entry.get("shape")),
                dtype_text(entry.get("dtype", "")),
                entry.get("device", ""),
                "yes" if entry.get("requires_grad") else "no",
                shape_text(grad["shape"]) if grad else "—",
                entry.get("preview", ""),
                key=entry["name"],
            )
