"""The result panes: as tabs under the lesson (below 120 columns) or beside it (from 120
columns and under 40 rows), all stacked beside the lesson from 120x40."""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Label, Static, Tab, Tabs

from tutor.i18n import N_, _
from tutor.runner import wire
from tutor.ui.widgets.gradients_pane import GradientsPane
from tutor.ui.widgets.graph_pane import GraphPane
from tutor.ui.widgets.output_pane import OutputPane
from tutor.ui.widgets.plot_pane import PlotPane
from tutor.ui.widgets.tensor_rows import entry_detail, order_entries
from tutor.ui.widgets.tensors_pane import TensorsPane

#: (id, title) of each pane, in tab order.
PANES = (("output", N_("Output")), ("tensors", N_("Tensors")), ("gradients", N_("Gradients")),
         ("graph", N_("Graph")), ("plot", N_("Plot")))

#: What an empty pane says will appear in it (one line at 80 columns).
EMPTY = {
    "output": N_("No output yet: F5 runs the current cell, and what it prints appears here"),
    "tensors": N_("No tensors yet: run a cell (F5)"),
    "gradients": N_("No gradients yet: they appear after a cell calls .backward()"),
    "graph": N_("No graph yet: compute a scalar from tensors with requires_grad=True"),
    "plot": N_("No plot yet: a cell that calls plot(values) draws it here"),
}

#: What the empty Output pane says on a step without a cell (F5 would have nothing to run).
NO_CELL = N_("No output: this step has no cell to run")

#: Panes whose table shows, under it, the highlighted row in full (while the table has focus).
DETAILED = ("tensors", "gradients")

#: What an empty pane says once a cell has run (and left nothing for it).
EMPTY_AFTER_RUN = {
    "tensors": N_("No tensors in the namespace after this run"),
    "gradients": N_("No gradients yet: they appear after a cell calls .backward()"),
    "graph": N_("No graph: no scalar here was computed from tensors with requires_grad=True"),
    "plot": N_("No plot from this run: plot(values, title=..., labels=[...]) draws one"),
}


class Panes(Vertical):
    """Output, Tensors, Gradients, Graph and Plot; the screen's breakpoint classes pick the
    layout.

    An empty pane shows what will appear in it; while the visible tab is empty the panes carry
    the `-quiet` class, so a narrow screen gives that room to the lesson. The tab row (narrow)
    and the Output title (wide) end with the keys that switch panes and zoom.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.current = "output"
        self.filled: set[str] = set()
        self.entries: dict[str, wire.TensorEntry] = {}
        """The latest snapshot's tensors by name (for the detail line and the next ordering)."""
        self.long_output = False
        """Whether the latest run's output is longer than the Output pane's usual rows."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="pane-bar"):
            yield Tabs(*(Tab(_(title), id=f"tab-{pane}") for pane, title in PANES),
                       id="pane-tabs")
            yield Label("", id="pane-keys", classes="pane-keys")
        with Container(id="pane-grid"):
            for pane, title in PANES:
                with Vertical(id=f"pane-{pane}", classes="pane -empty"):
                    with Horizontal(classes="pane-title"):
                        yield Label(_(title))
                        if pane == "output":
                            yield Label("", id="pane-title-keys", classes="pane-keys")
                    yield self._pane_widget(pane)
                    if pane in DETAILED:
                        yield Static("", classes="pane-detail", markup=False)
                    yield Static(_(EMPTY[pane]), classes="pane-empty", markup=False)

    def set_keys(self, next_pane: str, zoom: str) -> None:
        """Show the keys that switch panes and zoom (the screen hands down its bindings)."""
        self.query_one("#pane-keys", Label).update(
            _("{pane_key} pane · {zoom_key} zoom").format(pane_key=next_pane, zoom_key=zoom))
        self.query_one("#pane-title-keys", Label).update(
            _("{zoom_key} zoom").format(zoom_key=zoom))

    @staticmethod
    def _pane_widget(pane: str) -> Widget:
        if pane == "output":
            return OutputPane(id="output", classes="pane-body")
        if pane == "tensors":
            return TensorsPane(id="tensors", classes="pane-body")
        if pane == "gradients":
            return GradientsPane(id="gradients", classes="pane-body")
        if pane == "graph":
            return GraphPane(id="graph", classes="pane-body")
        return PlotPane(id="plot", classes="pane-body")

    def on_mount(self) -> None:
        self.show_pane("output")
        self._show_quiet()

    @property
    def output(self) -> OutputPane:
        return self.query_one(OutputPane)

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        self.current = (event.tab.id or "tab-output").removeprefix("tab-")
        for name, _title in PANES:
            self.query_one(f"#pane-{name}").set_class(name == self.current, "-current")
        self._show_quiet()

    def set_step_has_cells(self, has_cells: bool) -> None:
        """Let the empty Output pane say what F5 would do on this step (nothing, without a
        cell); once a cell has run, its output stays."""
        text = _(EMPTY["output"]) if has_cells else _(NO_CELL)
        self.query_one("#pane-output > .pane-empty", Static).update(text)

    def show_pane(self, pane: str) -> None:
        """Make `pane` the visible tab (on narrow screens)."""
        self.query_one(Tabs).active = f"tab-{pane}"

    def next_pane(self) -> None:
        """Cycle to the next tab."""
        self.query_one(Tabs).action_next_tab()

    def focus_current(self) -> None:
        """Focus the visible pane's content (to scroll it with the keyboard)."""
        pane = self.query_one(f"#pane-{self.current}")
        pane.query_one(".pane-body").focus()

    def start_output(self, title: str) -> OutputPane:
        """Clear the Output pane for a new run and show it; the caller streams into it."""
        output = self.output
        output.start(title)
        self.long_output = False
        self._set_filled("output", True)
        self.show_pane("output")
        return output

    def fit_output(self) -> None:
        """Once a run is over: if its output does not fit the Output pane, the pane grows
        (under the lesson, to the plot's height), so a cell's printout reads without scrolling
        the pane; the next run starts at the usual height again."""
        def measure() -> None:
            self.long_output = self.output.max_scroll_y > 0
            self._show_quiet()
            if self.long_output:
                self.call_after_refresh(self.output.scroll_end, animate=False)

        self.call_after_refresh(measure)

    def show_result(self, result: wire.ExecuteResult, assigned: list[str] | None = None) -> None:
        """Refresh the Tensors, Gradients, Graph and Plot panes from a run's snapshot; `assigned`
        (the names the cell just run assigns) come first in the tables. A good run that drew
        plots shows the Plot tab (Output is the next tab, F10)."""
        snapshot = result.get("snapshot") or {}
        tensors, changed = order_entries(snapshot.get("tensors") or [], self.entries, assigned)
        self.entries = {entry["name"]: entry for entry in tensors}
        graph = snapshot.get("graph")
        self.query_one(TensorsPane).show(tensors, changed)
        self.query_one(GradientsPane).show(tensors, changed)
        self.query_one(GraphPane).show(graph)
        self._set_filled("tensors", bool(tensors))
        self._set_filled("gradients", any(entry.get("grad") for entry in tensors))
        self._set_filled("graph", graph is not None)
        plot = self.query_one(PlotPane)
        plot.show(result.get("plots") or [])
        self._set_filled("plot", bool(plot.figures))
        for pane, text in EMPTY_AFTER_RUN.items():
            self.query_one(f"#pane-{pane} > .pane-empty", Static).update(_(text))
        if plot.figures and result.get("ok"):
            self.show_pane("plot")

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Show the highlighted tensor in full under its table (values the columns cut)."""
        event.stop()
        entry = self.entries.get(str(event.row_key.value))
        pane = event.data_table.parent
        if entry is not None and pane is not None:
            pane.query_one(".pane-detail", Static).update(entry_detail(entry))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self._mark_focused()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self._mark_focused()

    def _mark_focused(self) -> None:
        """Mark the pane holding the focus (its detail line shows); `:focus-within` on a parent
        does not restyle the children here."""
        focused = self.screen.focused
        for pane in self.query(".pane"):
            pane.set_class(focused is not None and pane in focused.ancestors, "-focused")

    def _set_filled(self, pane: str, filled: bool) -> None:
        if filled:
            self.filled.add(pane)
        else:
            self.filled.discard(pane)
        self.query_one(f"#pane-{pane}").set_class(not filled, "-empty")
        self._show_quiet()

    def _show_quiet(self) -> None:
        """`-quiet` while the visible tab is empty (the lesson gets the room); `-plot` while it
        is a drawn plot and `-long` while it is an output longer than the pane (the panes get
        the room, under the lesson at 80x24)."""
        self.set_class(self.current not in self.filled, "-quiet")
        self.set_class(self.current == "plot" and "plot" in self.filled, "-plot")
        self.set_class(self.current == "output" and self.long_output, "-long")
