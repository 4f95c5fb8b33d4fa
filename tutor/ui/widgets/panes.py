"""The four result panes, as tabs on narrow screens and side by side from 120 columns."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.widgets import Label, Tab, Tabs

from tutor.ui.widgets.gradients_pane import GradientsPane
from tutor.ui.widgets.graph_pane import GraphPane
from tutor.ui.widgets.output_pane import OutputPane
from tutor.ui.widgets.tensors_pane import TensorsPane

#: (id, title) of each pane, in tab order.
PANES = (("output", "Output"), ("tensors", "Tensors"), ("gradients", "Gradients"),
         ("graph", "Graph"))


class Panes(Vertical):
    """Output, Tensors, Gradients and Graph; the screen's breakpoint class picks the layout."""

    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(title, id=f"tab-{pane}") for pane, title in PANES), id="pane-tabs")
        with Container(id="pane-grid"):
            for pane, title in PANES:
                with Vertical(id=f"pane-{pane}", classes="pane"):
                    yield Label(title, classes="pane-title")
                    if pane == "output":
                        yield OutputPane(id="output")
                    elif pane == "tensors":
                        yield TensorsPane(id="tensors")
                    elif pane == "gradients":
                        yield GradientsPane(id="gradients")
                    else:
                        yield GraphPane(id="graph")

    def on_mount(self) -> None:
        self.show_pane("output")

    @property
    def output(self) -> OutputPane:
        return self.query_one(OutputPane)

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        pane = (event.tab.id or "tab-output").removeprefix("tab-")
        for name, _ in PANES:
            self.query_one(f"#pane-{name}").set_class(name == pane, "-current")

    def show_pane(self, pane: str) -> None:
        """Make `pane` the visible tab (on narrow screens)."""
        self.query_one(Tabs).active = f"tab-{pane}"

    def next_pane(self) -> None:
        """Cycle to the next tab."""
        self.query_one(Tabs).action_next_tab()

    def show_result(self, result: dict[str, Any]) -> None:
        """Refresh the Tensors, Gradients and Graph panes from a run's snapshot."""
        snapshot = result.get("snapshot") or {}
        tensors = snapshot.get("tensors") or []
        self.query_one(TensorsPane).show(tensors)
        self.query_one(GradientsPane).show(tensors)
        self.query_one(GraphPane).show(snapshot.get("graph"))
