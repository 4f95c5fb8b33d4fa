"""How the Tensors and Gradients panes order snapshot entries, and the full text of one entry.

The rule, so the tensors the learner just made are on top (not under a model's parameters):
1. tensors the cell just run assigns, in the cell's order;
2. then tensors the run created or changed otherwise (earlier cells run first, `backward()`
   filling a `.grad`, an optimizer step), compared with the previous snapshot by shape, dtype,
   device, requires_grad, values preview and gradient;
3. then the rest, in the namespace's order.
Within each, plain tensors come before module parameters, and a module's parameters stay
together under its name (a module ranks by its best-ranked parameter).
"""

from __future__ import annotations

import ast

from tutor.i18n import _
from tutor.runner import wire
from tutor.text import printable
from tutor.ui.labels import dtype_text, shape_text

Entry = wire.TensorEntry


def group_name(entry: Entry) -> str:
    """`net` for the parameter `net.fc1.weight`; a plain tensor is its own group."""
    return str(entry["name"]).split(".", 1)[0]


def is_parameter(entry: Entry) -> bool:
    """Module parameters are reported as `module.path.name`; variable names have no dot."""
    return "." in str(entry["name"])


def assigned_names(source: str) -> list[str]:
    """Names a cell assigns, in source order (parsed, never run; [] if it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []
    pending: list[ast.AST] = list(reversed(tree.body))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue  # their names are local
        if (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
                and node.id not in names):
            names.append(node.id)
        pending.extend(reversed(list(ast.iter_child_nodes(node))))
    return names


def order_entries(
    entries: list[Entry], previous: dict[str, Entry], assigned: list[str] | None = None
) -> tuple[list[Entry], set[str]]:
    """The entries in pane order (see the module's rule), and the names of those the latest
    run assigned, created or changed."""
    assigned = assigned or []
    changed = {e["name"] for e in entries
               if previous.get(e["name"]) != e or group_name(e) in assigned}
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(group_name(entry), []).append(entry)

    def rank(item: tuple[int, list[Entry]]) -> tuple[int, bool, int]:
        position, group = item
        name = group_name(group[0])
        if name in assigned:
            return 0, is_parameter(group[0]), assigned.index(name)
        fresh = any(e["name"] in changed for e in group)
        return 1 if fresh else 2, is_parameter(group[0]), position

    ranked = sorted(enumerate(groups.values()), key=rank)
    return [entry for _rank, group in ranked for entry in group], changed


def entry_detail(entry: Entry) -> str:
    """Everything the snapshot says about one tensor, on as many lines as it needs."""
    facts = [shape_text(entry.get("shape")), dtype_text(entry.get("dtype", "")),
             str(entry.get("device", ""))]
    if entry.get("requires_grad"):
        facts.append("requires_grad")
    if entry.get("grad_fn"):
        facts.append(f"grad_fn {entry['grad_fn']}")
    lines = [f"{entry['name']}: {' · '.join(f for f in facts if f)}",
             _("values {values}").format(values=entry.get("preview", ""))]
    grad = entry.get("grad")
    if grad:
        lines.append(f"grad {shape_text(grad.get('shape'))} {grad.get('preview', '')}")
    return printable("\n".join(lines))
