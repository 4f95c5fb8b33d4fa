"""The four result panes, as tabs on narrow screens and side by side from 120 columns."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.widget import Widget
from textual.widgets import Label, Static, Tab, Tabs

from tutor.ui.widgets.gradients_pane import GradientsPane
from tutor.ui.widgets.graph_pane import GraphPane
from tutor.ui.widgets.output_pane import OutputPane
from tutor.ui.widgets.tensors_pane import TensorsPane

#: (id, title) of each pane, in tab order.
PANES = (("output", "Output"), ("tensors", "Tensors"), ("gradients", "Gradients"),
         ("graph", "Graph"))

#: What an empty pane says will appear in it (one line at 80 columns).
EMPTY = {
    "output": "No output yet: F5 runs the current cell, and what it prints appears here",
    "tensors": "No tensors yet: run a cell (F5)",
    "gradients": "No gradients yet: they appear after a cell calls .backward()",
    "graph": "No graph yet: compute a scalar from tensors with requires_grad=True",
}

#: What an empty pane says once a cell has run (and left nothing for it).
EMPTY_AFTER_RUN = {
    "tensors": "No tensors in the namespace after this run",
    "gradients": "No gradients yet: they appear after a cell calls .backward()",
    "graph": "No graph: no scalar here was computed from tensors with requires_grad=True",
}


class Panes(Vertical):
    """Output, Tensors, Gradients and Graph; the screen's breakpoint class picks the layout.

    An empty pane shows what will appear in it; while the visible tab is empty the panes carry
    the `-quiet` class, so a narrow screen gives that room to the lesson.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.current = "output"
        self.filled: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(title, id=f"tab-{pane}") for pane, title in PANES), id="pane-tabs")
        with Container(id="pane-grid"):
            for pane, title in PANES:
                with Vertical(id=f"pane-{pane}", classes="pane -empty"):
                    yield Label(title, classes="pane-title")
                    yield self._pane_widget(pane)
                    yield Static(EMPTY[pane], classes="pane-empty", markup=False)

    @staticmethod
    def _pane_widget(pane: str) -> Widget:
        if pane == "output":
            return OutputPane(id="output", classes="pane-body")
        if pane == "tensors":
            return TensorsPane(id="tensors", classes="pane-body")
        if pane == "gradients":
            return GradientsPane(id="gradients", classes="pane-body")
        return GraphPane(id="graph", classes="pane-body")

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
        for name, _ in PANES:
            self.query_one(f"#pane-{name}").set_class(name == self.current, "-current")
        self._show_quiet()

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
        self._set_filled("output", True)
        self.show_pane("output")
        return output

    def show_result(self, result: dict[str, Any]) -> None:
        """Refresh the Tensors, Gradients and Graph panes from a run's snapshot."""
        snapshot = result.get("snapshot") or {}
        tensors = snapshot.get("tensors") or []
        graph = snapshot.get("graph")
        self.query_one(TensorsPane).show(tensors)
        self.query_one(GradientsPane).show(tensors)
        self.query_one(GraphPane).show(graph)
        self._set_filled("tensors", bool(tensors))
        self._set_filled("gradients", any(entry.get("grad") for entry in tensors))
        self._set_filled("graph", graph is not None)
        for pane, text in EMPTY_AFTER_RUN.items():
            self.query_one(f"#pane-{pane} > .pane-empty", Static).update(text)

    def _set_filled(self, pane: str, filled: bool) -> None:
        if filled:
            self.filled.add(pane)
        else:
            self.filled.discard(pane)
        self.query_one(f"#pane-{pane}").set_class(not filled, "-empty")
        self._show_quiet()

    def _show_quiet(self) -> None:
        self.set_class(self.current not in self.filled, "-quiet")
