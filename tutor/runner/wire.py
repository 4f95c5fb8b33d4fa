"""The wire contract between the runner client and its workers, written once for both sides.

Everything here is plain data (TypedDicts over JSON), so `result["ok"]` style access works and
nothing on the UI side needs torch. Caps that bound what a worker may send live here too: the
client enforces them, the worker keeps within them. See docs/architecture.md, "The runner".
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypedDict, TypeGuard

#: Largest frame either side accepts, in bytes; a longer one is a protocol error.
MAX_FRAME = 4 * 1024 * 1024
#: Tensors (and int lists) with more elements than this travel as a `SummaryValue`.
MAX_VALUES = 4096
#: Longest string value sent in full; longer ones travel as a `SummaryValue`.
MAX_STRING = 65_536
#: Longest tensor name in a snapshot, in characters.
MAX_NAME = 200

#: A worker's exit status when a cell closed (or replaced) its socket, so it cannot answer.
EXIT_CHANNEL_LOST = 72

#: How a request failed. `protocol` is a request the worker cannot understand (a client bug);
#: a garbled reply from a worker is reported as a `crash`, since its worker is replaced.
ErrorKind = Literal["exception", "timeout", "crash", "out_of_memory", "protocol"]
#: Requests a worker understands.
Op = Literal["exec", "eval", "ping"]


#: A sentence for people as its English template and the values it is filled in with:
#: `[template, {name: value}]`, each value text, a number or another such pair. The runner's own
#: processes word nothing in the learner's language: they send this beside the English
#: `message`, and the client words it in the app's language (`worded`).
Said = list[Any]


class _Error(TypedDict):
    kind: ErrorKind
    message: str
    traceback: str


class Error(_Error, total=False):
    """Why a request failed: a kind and one sentence (plus the cell frames of a traceback).
    `said` is the sentence's template and values (the client words it, then drops it)."""

    said: Said


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


def is_tensor(value: object) -> TypeGuard[TensorValue]:
    """Whether an encoded value is a tensor sent in full."""
    return isinstance(value, Mapping) and value.get("kind") == "tensor"


def is_summary(value: object) -> TypeGuard[SummaryValue]:
    """Whether an encoded value is the summary of one too large to send."""
    return isinstance(value, Mapping) and value.get("kind") == "summary"


def is_repr(value: object) -> TypeGuard[ReprValue]:
    """Whether an encoded value is another object's bounded repr."""
    return isinstance(value, Mapping) and value.get("kind") == "repr"


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


class CellResult(ExecuteResult, total=False):
    """A lesson cell's run (`CellSession.run_cell`): `cell` is the index of the cell the result
    is for, an earlier one when that failed first."""

    cell: int


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


def said(template: str, **values: Any) -> Said:
    """A sentence to be worded where it is shown; `template` is marked with `N_` for the
    catalog, and a value may itself be `said(...)`."""
    return [template, values]


#: How deep sentences may nest in one another (`said(..., detail=said(...))`).
MAX_SAID_DEPTH = 4


def _plain_fields(template: str) -> str:
    """`template` if its every field is a plain `{name}`: no attribute, index, conversion or
    format spec (a cell can forge a sentence; `{x:>999999999}` would fill the app's memory).
    ValueError otherwise."""
    for _text, field, spec, conversion in string.Formatter().parse(template):
        if field is not None and (not field.isidentifier() or spec or conversion):
            raise ValueError(f"not a plain field: {field!r}")
    return template


def worded(sentence: Said, translate: Callable[[str], str] = str, depth: int = 0) -> str:
    """`sentence` filled in, each template passed through `translate` first (`tutor.i18n._` for
    the current language; English without). ValueError when it is not a Said."""
    if depth > MAX_SAID_DEPTH:
        raise ValueError("sentences nested too deeply")
    try:
        template, values = sentence
        return _plain_fields(translate(str(template))).format(**{
            str(name): worded(value, translate, depth + 1) if isinstance(value, list) else value
            for name, value in dict(values).items()})
    except (TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ValueError(f"not a sentence: {exc}") from None


def error_said(kind: ErrorKind, sentence: Said, traceback: str = "") -> Error:
    """An Error whose message is `sentence`, in English and as the client words it."""
    return {"kind": kind, "message": worded(sentence), "traceback": traceback, "said": sentence}


def empty_snapshot() -> Snapshot:
    """The snapshot of a run that produced none (a crash, a timeout that reset the worker)."""
    return {"tensors": [], "graph": None}
