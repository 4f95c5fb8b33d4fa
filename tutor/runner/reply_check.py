"""Whether a worker's reply has the shape of tutor.runner.wire, before anything reads it.

A cell can write a well-formed frame carrying the current request's id on its own socket (its
worker is reachable through `gc`), so the client checks each reply's fields: a reply that is not
the contract's (`"error": 42`, a snapshot entry whose shape is a string, a plot whose series is
not a list) is a protocol fault, and the worker is replaced, instead of an exception in `tutor
check` or a cell left "running" in the app. A cell can still forge a well-shaped reply for its
own namespace (README, "What the runner isolates").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, get_args

from tutor.runner import wire

#: Deepest autograd tree a reply may hold (the worker caps it far lower).
MAX_GRAPH_DEPTH = 64
ERROR_KINDS = frozenset(get_args(wire.ErrorKind))


def reply_problem(reply: Mapping[str, Any], op: str) -> str | None:
    """What is wrong with a worker's reply to an `op` request, or None when it is well formed."""
    error = reply.get("error")
    if error is not None:
        if not isinstance(error, Mapping):
            return "error is not a mapping"
        if error.get("kind") not in ERROR_KINDS or not isinstance(error.get("message", ""), str):
            return "error has no known kind or a message that is not text"
        if not isinstance(error.get("traceback", ""), str):
            return "error traceback is not text"
    if op == "exec":
        return _exec_problem(reply)
    if op == "eval":
        if not isinstance(reply.get("repr", ""), str):
            return "repr is not text"
        return _value_problem(reply.get("value"))
    return None


def _exec_problem(reply: Mapping[str, Any]) -> str | None:
    duration = reply.get("duration_s", 0.0)
    if not isinstance(duration, (int, float)) or isinstance(duration, bool) \
            or not math.isfinite(duration):
        return "duration_s is not a number"
    snapshot = reply.get("snapshot")
    if snapshot is not None:
        if not isinstance(snapshot, Mapping) or not isinstance(snapshot.get("tensors", []), list):
            return "snapshot is not a mapping with a list of tensors"
        for entry in snapshot.get("tensors", []):
            if not _is_entry(entry):
                return "a snapshot entry does not have the contract's fields"
        graph = snapshot.get("graph")
        if graph is not None and not _is_graph(graph, 0):
            return "the graph is not a tree of nodes"
    plots = reply.get("plots", [])
    if not isinstance(plots, list) or not all(_is_plot(plot) for plot in plots):
        return "plots are not a list of figures"
    return None


def _is_shape(value: object) -> bool:
    return isinstance(value, list) and all(type(n) is int for n in value)


def _is_entry(entry: object) -> bool:
    if not isinstance(entry, Mapping):
        return False
    texts = all(isinstance(entry.get(key), str) for key in ("name", "dtype", "device", "preview"))
    flags = all(isinstance(entry.get(key), bool) for key in ("requires_grad", "is_leaf"))
    grad = entry.get("grad")
    grad_ok = grad is None or (isinstance(grad, Mapping) and _is_shape(grad.get("shape"))
                               and isinstance(grad.get("preview"), str))
    grad_fn = entry.get("grad_fn")
    return texts and flags and grad_ok and _is_shape(entry.get("shape")) \
        and (grad_fn is None or isinstance(grad_fn, str))


def _is_graph(node: object, depth: int) -> bool:
    if depth > MAX_GRAPH_DEPTH or not isinstance(node, Mapping):
        return False
    children = node.get("children")
    return (node.get("name") is None or isinstance(node.get("name"), str)) \
        and isinstance(node.get("op"), str) and type(node.get("more", 0)) is int \
        and isinstance(children, list) and all(_is_graph(child, depth + 1) for child in children)


def _is_numbers(values: object) -> bool:
    return isinstance(values, list) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _is_plot(plot: object) -> bool:
    if not isinstance(plot, Mapping) or not isinstance(plot.get("title", ""), str):
        return False
    x = plot.get("x")
    series = plot.get("series")
    return (x is None or _is_numbers(x)) and isinstance(series, list) and all(
        isinstance(line, Mapping) and isinstance(line.get("label", ""), str)
        and _is_numbers(line.get("values")) for line in series)


def _value_problem(value: object) -> str | None:
    """An evaluated value: plain JSON, or one of the contract's tagged mappings."""
    if not isinstance(value, Mapping):
        return None  # numbers, text, lists: the grader reads any plain JSON
    if wire.is_tensor(value):
        ok = _is_shape(value.get("shape")) and isinstance(value.get("dtype"), str)
    elif wire.is_summary(value):
        ok = _is_shape(value.get("shape")) and isinstance(value.get("dtype"), str) \
            and isinstance(value.get("type"), str) and isinstance(value.get("head"), list) \
            and type(value.get("numel")) is int and isinstance(value.get("repr", ""), str)
    elif wire.is_repr(value):
        ok = isinstance(value.get("repr"), str)
    else:
        ok = False
    return None if ok else "the value is not one the contract describes"
