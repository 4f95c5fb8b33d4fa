"""`plot()`, put into every namespace: a cell's figures travel in the execute result's `plots`.

Runs inside a worker. Each call records one figure (at most MAX_FIGURES per run, the first ones
kept); each series is cut to its finite points and evenly downsampled to MAX_POINTS, so a result
stays small whatever a cell plots. The shape of a figure is `tutor.runner.wire.Plot`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tutor.runner.wire import Plot, PlotSeries
from tutor.text import shorten

if TYPE_CHECKING:
    import torch

#: Figures kept per run; later calls in the same run are ignored.
MAX_FIGURES = 8
#: Series one figure may hold.
MAX_SERIES = 8
#: Points kept per series (evenly spaced when there are more).
MAX_POINTS = 1000
#: Longest title or label, in characters.
MAX_LABEL = 120

#: The figures of the current run, in call order (cleared by the worker before each run).
figures: list[Plot] = []


def _vector(series: Any, what: str) -> torch.Tensor:
    """`series` as a 1-D real tensor (on its own device for tensors, else on the CPU)."""
    import torch  # a worker has it loaded already; the UI process never calls this

    if isinstance(series, torch.Tensor):
        tensor = series.detach()
    else:
        try:
            tensor = torch.as_tensor(series, device="cpu")
        except (TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(f"plot(): {what} must be a 1-D sequence of numbers ({exc})") from None
    if tensor.device.type == "meta":
        raise ValueError(f"plot(): {what} is a meta tensor, which has no values")
    if tensor.dim() != 1:
        raise ValueError(f"plot(): {what} must be 1-D, not of shape {tuple(tensor.shape)}")
    if tensor.is_complex():
        raise TypeError(f"plot(): {what} holds complex numbers")
    return tensor


def _finite(tensor: torch.Tensor) -> torch.Tensor:
    """A CPU bool mask of the finite entries."""
    import torch

    return torch.isfinite(tensor.float()).cpu()


def _take(tensor: torch.Tensor, index: torch.Tensor) -> list[float]:
    import torch

    picked = tensor.index_select(0, index.to(tensor.device))
    values: list[float] = picked.cpu().to(torch.float64).tolist()
    return values


def _spread(index: torch.Tensor) -> torch.Tensor:
    """At most MAX_POINTS entries of `index`, evenly spaced, first and last kept."""
    import torch

    if index.numel() <= MAX_POINTS:
        return index
    picks = torch.linspace(0, index.numel() - 1, MAX_POINTS, device="cpu").round().long()
    return index[picks]


def _label(text: object, what: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"plot(): {what} must be a str, not {type(text).__name__}")
    return shorten(text, MAX_LABEL)


def make_figure(*series: Any, x: Any = None, title: str = "",
                labels: list[str] | tuple[str, ...] | None = None) -> Plot:
    """The figure `plot(*series, x=..., title=..., labels=...)` records (see module docstring).

    When every series has the same length, a point is dropped from all of them where any series
    (or `x`) is not finite, and `x` then becomes the kept positions if it was not given, so the
    points stay where they were. Series of different lengths (no `x`) are cut each on its own.
    """
    import torch

    if not series:
        raise TypeError("plot(): give at least one series, e.g. plot(losses)")
    if len(series) > MAX_SERIES:
        raise ValueError(f"plot(): at most {MAX_SERIES} series in one figure")
    if labels is not None and (isinstance(labels, str) or len(labels) != len(series)):
        raise ValueError(f"plot(): labels must be a list of {len(series)} str, one per series")
    names = [_label(t, "each label") for t in labels] if labels is not None else [""] * len(series)
    vectors = [_vector(s, f"series {i + 1}") for i, s in enumerate(series)]
    xs = None if x is None else _vector(x, "x")
    lengths = {v.numel() for v in vectors}
    if xs is not None and lengths != {xs.numel()}:
        raise ValueError("plot(): x must have as many values as every series")
    out_x: list[float] | None = None
    out: list[PlotSeries] = []
    if len(lengths) == 1:
        (length,) = lengths
        keep = torch.ones(length, dtype=torch.bool)
        for vector in [*vectors, *([xs] if xs is not None else [])]:
            keep &= _finite(vector)
        index = _spread(keep.nonzero().flatten())
        if xs is not None:
            out_x = _take(xs, index)
        elif index.numel() < length:
            out_x = index.to(torch.float64).tolist()
        out = [{"label": n, "values": _take(v, index)} for n, v in zip(names, vectors, strict=True)]
    else:
        for name, vector in zip(names, vectors, strict=True):
            index = _spread(_finite(vector).nonzero().flatten())
            out.append({"label": name, "values": _take(vector, index)})
    return {"title": _label(title, "title"), "x": out_x, "series": out}


def plot(*series: Any, x: Any = None, title: str = "",
         labels: list[str] | tuple[str, ...] | None = None) -> None:
    """Draw `series` (1-D numbers: lists, tensors, arrays) in the Plot pane, against `x` if given.

    One call, one figure; labels name the series. Prints nothing and returns None.
    """
    figure = make_figure(*series, x=x, title=title, labels=labels)
    if len(figures) < MAX_FIGURES:
        figures.append(figure)


def take_figures() -> list[Plot]:
    """The current run's figures, clearing them for the next run."""
    taken = list(figures)
    figures.clear()
    return taken
