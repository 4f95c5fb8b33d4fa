"""The Plot pane: the line plots the latest run made with `plot()`, drawn in the terminal.

Each figure arrives as plain numbers (`{"title", "x", "series": [{"label", "values"}]}`, see
docs/architecture.md). Series differ by their marker as well as their colour, so a plot reads in
16 colours and without colour, and a legend names them. textual-plotext (and plotext) are
imported the first time there is something to draw: the first frame and a lesson without plots
never pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import VerticalScroll

from tutor.i18n import _
from tutor.runner import wire
from tutor.text import printable, shorten

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot

#: Markers of the series in turn: shapes a learner tells apart without colour.
MARKERS = ("•", "x", "+", "o", "*", "#", "@", "%")

#: Figures drawn from one run (the runner keeps at most as many).
MAX_FIGURES = 8


def figure_label(figure: wire.Plot, number: int) -> str:
    """A figure's title for the plot (escaped and short), or `plot N` without one."""
    title = printable(str(figure.get("title") or "")).replace("\n", " ")
    return shorten(title, 60) or _("plot {number}").format(number=number)


def series_of(figure: wire.Plot) -> list[tuple[str, list[float]]]:
    """(label, values) of each series that has any values; unnamed ones are numbered."""
    shown = []
    for number, series in enumerate(figure.get("series") or [], 1):
        values = [float(v) for v in series.get("values") or []]
        if values:
            label = printable(str(series.get("label") or "")).replace("\n", " ")
            shown.append((shorten(label, 30) or _("series {number}").format(number=number),
                          values))

    return shown


class PlotPane(VerticalScroll):
    """One plot per figure of the latest run, one under the other (scrolls when many)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.figures: list[wire.Plot] = []

    def show(self, figures: list[wire.Plot]) -> None:
        """Replace the plots with `figures` (a run's `plots`; [] clears the pane)."""
        self.figures = [f for f in figures[:MAX_FIGURES] if series_of(f)]
        self.remove_children()
        if self.figures:
            self.mount_all(self._plot(figure, n) for n, figure in enumerate(self.figures, 1))

    def _plot(self, figure: wire.Plot, number: int) -> PlotextPlot:
        from textual_plotext import PlotextPlot

        widget = PlotextPlot(classes="plot")
        plt = widget.plt
        plt.title(figure_label(figure, number))
        x = figure.get("x")
        for (label, values), marker in zip(series_of(figure), MARKERS * 2, strict=False):
            xs = [float(v) for v in x][:len(values)] if x else list(range(len(values)))
            plt.plot(xs, values[:len(xs)], marker=marker, label=label)
        return widget
