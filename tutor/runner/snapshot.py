"""What the panes show: every tensor and module parameter in a namespace, and an autograd tree.

Runs inside a worker after each execution, so it must be cheap: previews are built from a few
values with `tolist()` (torch's own printing costs ~100 µs a tensor).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

from tutor.runner.wire import MAX_NAME, GraphNode, TensorEntry
from tutor.text import shorten

#: At most this many tensor entries per snapshot (parameters of big models included).
MAX_ENTRIES = 200
#: Values shown in a preview before "…".
PREVIEW_VALUES = 6
#: Longest preview, in characters.
PREVIEW_CHARS = 160


def _format_number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def _nested(values: Any, budget: list[int]) -> str:
    """Nested-list text of `values`, spending one unit of `budget` per number shown."""
    if not isinstance(values, list):
        budget[0] -= 1
        return _format_number(values)
    parts = []
    for item in values:
        if budget[0] <= 0:
            parts.append("…")
            break
        parts.append(_nested(item, budget))
    return "[" + ", ".join(parts) + "]"


def preview(tensor: torch.Tensor) -> str:
    """A short, bounded text of a tensor's first values, e.g. `[1.1000, 2.2000]`."""
    if tensor.device.type == "meta":
        return "(meta tensor: shape only, no values)"
    try:
        with torch.no_grad():
            data = tensor.detach()
            if data.layout != torch.strided:
                data = data.to_dense()
            if data.dim() > 0:
                # Keep at most PREVIEW_VALUES items per dimension so tolist() stays small.
                data = data[tuple(slice(0, PREVIEW_VALUES + 1) for _ in range(data.dim()))]
            values = data.cpu().tolist()
    except Exception as exc:  # exotic tensors (quantized, nested) have no cheap preview
        return f"(no preview: {type(exc).__name__})"
    text = _nested(values, [PREVIEW_VALUES])
    return shorten(text, PREVIEW_CHARS)


def named_tensors(namespace: dict[str, Any]) -> Iterator[tuple[str, torch.Tensor]]:
    """Tensors bound to public names, and each module's parameters as `net.fc1.weight`."""
    for name, value in list(namespace.items()):
        if not isinstance(name, str) or name.startswith("_"):
            continue
        if isinstance(value, torch.Tensor):
            yield name, value
        elif isinstance(value, torch.nn.Module):
            try:
                for param_name, param in value.named_parameters():
                    yield f"{name}.{param_name}", param
            except Exception:  # a half-built module can fail to list its parameters
                continue


def _name(name: str) -> str:
    return shorten(name, MAX_NAME)


def tensor_entry(name: str, tensor: torch.Tensor) -> TensorEntry:
    """The snapshot entry of one tensor (tutor.runner.wire.TensorEntry)."""
    grad = tensor.grad if tensor.is_leaf and tensor.requires_grad else None
    return {
        "name": _name(name),
        "shape": list(tensor.shape),
        "dtype": str(tensor.dtype),
        "device": str(tensor.device),
        "requires_grad": tensor.requires_grad,
        "is_leaf": tensor.is_leaf,
        "grad_fn": type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None,
        "preview": preview(tensor),
        "grad": None if grad is None else {"shape": list(grad.shape), "preview": preview(grad)},
    }


def tensor_entries(namespace: dict[str, Any]) -> list[TensorEntry]:
    """Entries for every named tensor, capped at MAX_ENTRIES; a tensor that fails is skipped."""
    entries: list[TensorEntry] = []
    for name, tensor in named_tensors(namespace):
        if len(entries) >= MAX_ENTRIES:
            break
        try:
            entries.append(tensor_entry(name, tensor))
        except Exception:  # a tensor subclass whose attributes raise: leave it out
            continue
    return entries


def _is_graph_root(value: Any) -> bool:
    try:
        return isinstance(value, torch.Tensor) and value.grad_fn is not None and value.numel() == 1
    except Exception:  # a tensor subclass whose attributes raise
        return False


def pick_root(namespace: dict[str, Any], assigned: list[str]) -> str | None:
    """The scalar with a grad_fn to draw: `loss` if it is one, else the last assigned, else any."""
    if _is_graph_root(namespace.get("loss")):
        return "loss"
    for name in reversed(assigned):
        if _is_graph_root(namespace.get(name)):
            return name
    candidates = [n for n, v in list(namespace.items())
                  if isinstance(n, str) and not n.startswith("_") and _is_graph_root(v)]
    return candidates[-1] if candidates else None


def build_graph(
    namespace: dict[str, Any], name: str, *, max_depth: int = 8, max_nodes: int = 40
) -> GraphNode | None:
    """The autograd graph of `namespace[name]` as a capped tree; None if it has no grad_fn."""
    root = namespace.get(name)
    if not isinstance(root, torch.Tensor) or root.grad_fn is None:
        return None
    leaf_names: dict[int, str] = {}
    node_names: dict[int, str] = {}
    keep_alive = []
    for var_name, tensor in named_tensors(namespace):
        try:
            node = tensor.grad_fn
        except Exception:  # a tensor subclass whose attributes raise
            continue
        if node is None:
            leaf_names.setdefault(id(tensor), _name(var_name))
        else:
            keep_alive.append(node)
            node_names.setdefault(id(node), _name(var_name))
    node_names[id(root.grad_fn)] = _name(name)
    budget = [max_nodes]

    def visit(node: Any, depth: int) -> GraphNode:
        budget[0] -= 1
        op = _name(type(node).__name__)
        label = node_names.get(id(node))
        if op == "AccumulateGrad":
            label = leaf_names.get(id(node.variable))
        children: list[GraphNode] = []
        more = 0
        inputs = [fn for fn, _ in getattr(node, "next_functions", ()) if fn is not None]
        for child in inputs:
            if depth + 1 >= max_depth or budget[0] <= 0:
                more += 1
            else:
                children.append(visit(child, depth + 1))
        return {"name": label, "op": op, "children": children, "more": more}

    return visit(root.grad_fn, 0)
