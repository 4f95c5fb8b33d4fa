"""The wire contract between the runner client and its workers, written once for both sides.

Everything here is plain data (TypedDicts over JSON), so `result["ok"]` style access works and
nothing on the UI side needs torch. Caps that bound what a worker may send live here too: the
client enforces them, the worker keeps within them. See docs/architecture.md, "The runner".
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

#: Largest frame either side accepts, in bytes; a longer one is a protocol error.
MAX_FRAME = 4 * 1024 * 1024
#: Tensors (and int lists) with more elements than this travel as a `SummaryValue`.
MAX_VALUES = 4096
#: Longest string value sent in full; longer ones travel as a `SummaryValue`.
MAX_STRING = 65_536
#: Longest tensor name in a snapshot, in characters.
MAX_NAME = 200

#: How a request failed. `protocol` is a request the worker cannot understand (a client bug);
#: a garbled reply from a worker is reported as a `crash`, since its worker is replaced.
ErrorKind = Literal["exception", "timeout", "crash", "out_of_memory", "protocol"]
#: Requests a worker understands.
Op = Literal["exec", "eval", "graph", "ping"]


class Error(TypedDict):
    """Why a request failed: a kind and one sentence (plus the cell frames of a traceback)."""

    kind: ErrorKind
    message: str
    traceback: str


class TensorValue(TypedDict):
    """A tensor (or NumPy array) sent in full; `values` is None for a meta tensor."""

    kind: Literal["tensor"]
    values: Any
    dtype: str
    shape: list[int]


class SummaryValue(TypedDict):
    """A value too large to send in full: grading can only say it could not compare it all.

    `head` holds the first values in row-major order; `min`, `max` and `mean` are None where they
    do not apply (strings, meta tensors, non-numeric dtypes).
    """

    kind: Literal["summary"]
    type: str
    shape: list[int]
    dtype: str
    device: str
    numel: int
    head: list[Any]
    min: float | None
    max: float | None
    mean: float | None
    repr: str


class ReprValue(TypedDict):
    """Any other value, as a bounded repr."""

    kind: Literal["repr"]
    repr: str


#: An encoded value: None, bool, int, float, str, list[int] (shapes), or one of the dicts.
Value = None | bool | int | float | str | list[int] | TensorValue | SummaryValue | ReprValue


class GradInfo(TypedDict):
    """The gradient of a snapshot entry."""

    shape: list[int]
    preview: str


class TensorEntry(TypedDict):
    """One tensor or module parameter in a snapshot (names are cut to MAX_NAME)."""

    name: str
    shape: list[int]
    dtype: str
    device: str
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    preview: str
    grad: GradInfo | None


class GraphNode(TypedDict):
    """One node of an autograd tree: the op, the variable it belongs to, and its inputs."""

    name: str | None
    op: str
    children: list[GraphNode]
    more: int


class Snapshot(TypedDict):
    """What the panes show after a run."""

    tensors: list[TensorEntry]
    graph: GraphNode | None


class PlotSeries(TypedDict):
    """One line of a figure."""

    label: str
    values: list[float]


class Plot(TypedDict):
    """One `plot()` call: finite floats only, at most 1000 points a series."""

    title: str
    x: list[float] | None
    series: list[PlotSeries]


class ExecuteResult(TypedDict):
    """`Runner.execute`'s result."""

    ok: bool
    output: str
    truncated: bool
    error: Error | None
    snapshot: Snapshot
    plots: list[Plot]
    duration_s: float


class EvaluateResult(TypedDict):
    """`Runner.evaluate`'s result."""

    ok: bool
    value: Value
    repr: str
    error: Error | None


class ExecReply(TypedDict, total=False):
    """A worker's reply to `exec` (before the client adds output)."""

    id: str
    ok: bool
    error: Error | None
    snapshot: Snapshot
    plots: list[Plot]
    duration_s: float


class EvalReply(TypedDict, total=False):
    """A worker's reply to `eval`."""

    id: str
    ok: bool
    value: Value
    repr: str
    error: Error | None


def error(kind: ErrorKind, message: str, traceback: str = "") -> Error:
    """An Error dict."""
    return {"kind": kind, "message": message, "traceback": traceback}


def empty_snapshot() -> Snapshot:
    """The snapshot of a run that produced none (a crash, a timeout that reset the worker)."""
    return {"tensors": [], "graph": None}
