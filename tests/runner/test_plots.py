"""`plot()` in every namespace and the `plots` field of execute results."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from tutor.runner.client import Runner
from tutor.runner.plots import MAX_FIGURES, MAX_POINTS, make_figure


def test_series_of_every_kind() -> None:
    figure = make_figure([1, 2, 3], (4.0, 5.0, 6.0), torch.tensor([7, 8, 9]), np.array([0, 1, 2]),
                         title="t", labels=["a", "b", "c", "d"])
    assert figure["title"] == "t" and figure["x"] is None
    assert [s["label"] for s in figure["series"]] == ["a", "b", "c", "d"]
    assert figure["series"][2]["values"] == [7.0, 8.0, 9.0]
    assert all(isinstance(v, float) for s in figure["series"] for v in s["values"])


def test_long_series_are_downsampled_with_their_x() -> None:
    xs = torch.linspace(0, 1, 5000)
    figure = make_figure(xs * 2, x=xs)
    (series,) = figure["series"]
    assert figure["x"] is not None and len(figure["x"]) == len(series["values"]) == MAX_POINTS
    assert figure["x"][0] == 0.0 and figure["x"][-1] == 1.0
    pairs = zip(figure["x"], series["values"], strict=True)
    assert all(math.isclose(v, 2 * x, rel_tol=1e-6) for x, v in pairs)


def test_non_finite_points_are_dropped_where_they_were() -> None:
    figure = make_figure([1.0, float("nan"), 3.0], [4.0, 5.0, float("inf")])
    assert figure["x"] == [0.0]
    assert [s["values"] for s in figure["series"]] == [[1.0], [4.0]]
    uneven = make_figure([1.0, float("nan")], [1.0, 2.0, 3.0])
    assert uneven["x"] is None
    assert [s["values"] for s in uneven["series"]] == [[1.0], [1.0, 2.0, 3.0]]


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        ((), {}, "at least one series"),
        (([[1, 2], [3, 4]],), {}, "1-D"),
        ((["a", "b"],), {}, "sequence of numbers"),
        (([1, 2],), {"x": [1, 2, 3]}, "as many values"),
        (([1, 2],), {"labels": ["a", "b"]}, "one per series"),
        (([1, 2],), {"title": 3}, "must be a str"),
    ],
)
def test_bad_calls_say_what_is_wrong(args: tuple, kwargs: dict, words: str) -> None:
    with pytest.raises((TypeError, ValueError), match=words):
        make_figure(*args, **kwargs)


async def test_plots_travel_with_the_result(runner: Runner, ns: str) -> None:
    code = (
        "import torch\nlosses = [1.0, 0.5, 0.25]\nr = plot(losses, title='loss', labels=['loss'])\n"
        "xs = torch.linspace(-6, 6, 121)\n"
        "plot(torch.sigmoid(xs), torch.sigmoid(xs) * (1 - torch.sigmoid(xs)), x=xs)"
    )
    result = await runner.execute(ns, code)
    assert result["ok"], result["error"]
    assert result["output"] == ""
    first, second = result["plots"]
    assert first == {"title": "loss", "x": None,
                     "series": [{"label": "loss", "values": [1.0, 0.5, 0.25]}]}
    assert second["x"] is not None and len(second["x"]) == 121 and len(second["series"]) == 2
    assert (await runner.evaluate(ns, "r is None"))["value"] is True
    again = await runner.execute(ns, "y = 1")
    assert again["plots"] == []


async def test_figures_per_run_are_capped_and_errors_are_plain(runner: Runner, ns: str) -> None:
    many = await runner.execute(ns, "for i in range(20):\n    plot([i, i + 1], title=str(i))")
    assert [p["title"] for p in many["plots"]] == [str(i) for i in range(MAX_FIGURES)]
    bad = await runner.execute(ns, "plot([[1, 2]])")
    assert bad["error"]["kind"] == "exception" and "1-D" in bad["error"]["message"]
    assert bad["plots"] == []
