"""The Tensors pane: every tensor and parameter in the learner's namespace."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from tutor.i18n import N_, _
from tutor.runner import wire
from tutor.text import printable, shorten
from tutor.ui.labels import dtype_text, shape_text

#: Values come right after the name: a narrow pane cuts the table on the right, and the values
#: (and the gradient's) are what a learner looks for; shape, dtype and device are short.
COLUMNS = (N_("name"), N_("values"), "grad", N_("shape"), "dtype", "requires_grad", N_("device"))

#: Characters of a values preview shown in a table cell; the detail line under the table (a
#: highlighted row) shows it in full.
CELL_CHARS = 28


def name_cell(name: str, changed: bool) -> Text:
    """A row's name (control characters escaped); bold when the latest run created or changed
    that tensor."""
    return Text(printable(name), style="bold" if changed else "")


def text_cell(value: object, limit: int = CELL_CHARS) -> Text:
    """Plain text for a table cell: escaped, never read as markup, cut with "…"."""
    return Text(shorten(printable(str(value)), limit))


def grad_cell(grad: wire.GradInfo | None) -> Text:
    """The gradient's values (`—` while there is none): a scalar's shape `()` read as empty."""
    if not grad:
        return Text("—")
    return text_cell(grad.get("preview") or shape_text(grad.get("shape")))


class TensorsPane(DataTable[Text]):
    """Name, values, gradient values, shape, dtype, requires_grad and device, one row each.

    Rows come in the order `tensor_rows.order_entries` gives (the latest run's tensors first).
    """

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_columns(*(_(column) for column in COLUMNS))

    def show(self, tensors: list[wire.TensorEntry], changed: set[str] | None = None) -> None:
        """Replace the rows with this snapshot's tensors, in the order given."""
        self.clear()
        for entry in tensors:
            if entry["name"] in self.rows:  # names cut to MAX_NAME, or a forged reply, may repeat
                continue
            self.add_row(
                name_cell(entry["name"], entry["name"] in (changed or ())),
                text_cell(entry.get("preview", "")),
                grad_cell(entry.get("grad")),
                Text(shape_text(entry.get("shape"))),
                text_cell(dtype_text(str(entry.get("dtype", "")))),
                Text("yes" if entry.get("requires_grad") else "no"),
                text_cell(entry.get("device", "")),
                key=entry["name"],
            )
