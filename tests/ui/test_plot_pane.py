"""The Plot pane draws the latest run's plots (issue #14), readable without colour."""

from __future__ import annotations

import subprocess
import sys

from ui_helpers import on_second_step, wait_until

from tutor.ui.screens.lesson import LessonScreen
from tutor.ui.widgets.plot_pane import MARKERS, PlotPane

LOSSES = [2.3 * 0.8**n for n in range(30)]

RESULT = {
    "ok": True, "output": "", "duration_s": 0.0, "error": None, "snapshot": None,
    "plots": [
        {"title": "training loss", "x": None,
         "series": [{"label": "loss", "values": LOSSES},
                    {"label": "val loss", "values": [v + 0.2 for v in LOSSES]}]},
    ],
}


def plot_text(pane: PlotPane) -> list[str]:
    """What each plot draws, as plain text (the glyphs, without colour)."""
    return [str(plot.render()) for plot in pane.query(".plot")]


async def test_a_loss_curve_shows_in_the_plot_pane(make_app) -> None:
    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LessonScreen)
        pane = screen.query_one(PlotPane)
        assert screen.query_one("#pane-plot").has_class("-empty")
        screen.panes.show_result(RESULT)
        screen.panes.show_pane("plot")
        await pilot.pause()
        await wait_until(pilot, lambda: bool(pane.query(".plot")) and
                         pane.query_one(".plot").size.height > 0)
        assert not screen.query_one("#pane-plot").has_class("-empty")
        assert screen.query_one("#pane-plot").display
        [drawn] = plot_text(pane)
        assert "training loss" in drawn
        # Each series has its own marker, named in the legend: no colour needed to tell them.
        assert f"{MARKERS[0]} loss" in drawn and f"{MARKERS[1]} val loss" in drawn
        curve = drawn.split("\n", 2)[2]  # below the title and legend lines
        assert curve.count(MARKERS[0]) > 5 and curve.count(MARKERS[1]) > 5

        # A run without plots clears the pane, which says how to make one.
        screen.panes.show_result({**RESULT, "plots": []})
        await pilot.pause()
        assert not pane.query(".plot")
        assert screen.query_one("#pane-plot").has_class("-empty")


def test_hostile_titles_and_labels_are_escaped() -> None:
    from tutor.ui.widgets.plot_pane import figure_label, series_of

    figure = {"title": "\x1b]0;PWNED\x07", "series": [{"label": "\x1b[2J", "values": [1.0]},
                                                        {"label": "empty", "values": []}]}
    assert figure_label(figure, 1) == "\\x1b]0;PWNED\\x07"
    assert series_of(figure) == [("\\x1b[2J", [1.0])]
    assert figure_label({"series": []}, 3) == "plot 3"


def test_plotext_is_not_imported_until_a_plot_is_drawn() -> None:
    code = ("import sys; import tutor.ui.app, tutor.ui.screens.lesson, tutor.ui.widgets.panes; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('plotext', 'textual_plotext', 'torch')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


PLOTTING_CELL = '''import torch
losses = [2.3 * 0.8 ** n for n in range(40)]
plot(losses, title="training loss", labels=["loss"])
xs = torch.linspace(-6, 6, 121)
plot(torch.sigmoid(xs), torch.sigmoid(xs) * (1 - torch.sigmoid(xs)), x=xs,
     title="sigmoid and its derivative", labels=["σ(x)", "σ'(x)"])
'''


async def test_a_cell_calling_plot_fills_the_plot_pane(make_app) -> None:
    """End to end with the runner's `plot()` (skipped where the runner has none yet)."""
    import importlib.util

    if importlib.util.find_spec("tutor.runner.plots") is None:
        import pytest

        pytest.skip("this runner has no plot() yet")
    from tutor.ui.widgets.cell_editor import CellEditor

    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        screen = app.screen
        screen.query_one(CellEditor).editor.load_text(PLOTTING_CELL)
        await pilot.pause()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        screen.panes.show_pane("plot")
        pane = screen.query_one(PlotPane)
        await wait_until(pilot, lambda: len(pane.query(".plot")) == 2
                         and pane.query(".plot").first().size.height > 0)
        first = plot_text(pane)[0]
        assert "training loss" in first and f"{MARKERS[0]} loss" in first
        assert [f["title"] for f in pane.figures] == ["training loss",
                                                      "sigmoid and its derivative"]


LOSS_CURVE_CELL = '''losses = [2.3 * 0.8 ** n for n in range(40)]
print("final loss", losses[-1])
plot(losses, title="training loss", labels=["loss"])
'''


async def test_a_loss_curve_is_readable_at_80x24_without_zooming(make_app) -> None:
    """Issue #14: the Plot pane was about 5 rows tall until F12. A run that draws a plot shows
    the Plot tab, and the panes grow so the whole plot (title, legend, curve, axis) is on
    screen; Output is the next tab, and there the lesson gets its rows back."""
    from tutor.ui.widgets.cell_editor import CellEditor

    app = make_app(lesson="mini")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await on_second_step(app, pilot)
        screen.query_one(CellEditor).editor.load_text(LOSS_CURVE_CELL)
        await pilot.pause()
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        pane = screen.query_one(PlotPane)
        await wait_until(pilot, lambda: bool(pane.query(".plot"))
                         and pane.query_one(".plot").size.height > 0)
        await pilot.pause()
        assert screen.panes.current == "plot"
        plot = pane.query_one(".plot")
        # Not cut: the plot lies inside the pane, and the pane inside the screen.
        assert pane.region.contains_region(plot.region)
        assert screen.region.contains_region(pane.region)
        assert pane.max_scroll_y == 0
        # Half the lesson area at least (the lesson keeps a few rows to read).
        assert plot.region.height * 2 >= screen.query_one("#lesson-body").region.height
        drawn = plot_text(pane)[0]
        assert drawn.count(MARKERS[0]) > 10
        assert screen.step_view.region.height >= 5
        plot_height = screen.panes.region.height
        # F12 still zooms: the lesson alone keeps the tab row; then the plot has every row.
        await pilot.press("f12")
        await pilot.pause()
        assert screen.panes.region.height == 2
        await pilot.press("f12")
        await pilot.pause()
        assert screen.panes.region.height > plot_height
        await pilot.press("f12", "f10")  # on to Output: its usual size, what the cell printed
        await pilot.pause()
        assert screen.panes.current == "output"
        assert screen.panes.region.height < plot_height
        assert "final loss" in screen.panes.output.text
