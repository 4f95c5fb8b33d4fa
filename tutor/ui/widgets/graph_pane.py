"""The Graph pane: the autograd graph of the latest scalar result, as a tree."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tutor.i18n import N_, _
from tutor.runner import wire
from tutor.text import printable

#: The root's label while there is no graph (the Panes hide an empty tree behind a message).
EMPTY = N_("no graph")


def node_label(node: wire.GraphNode) -> str:
    """`loss ← SigmoidBackward0`, `w (leaf)`, or just the operation (control characters in
    names escaped)."""
    op, name = str(node.get("op", "?")), node.get("name")
    if op == "AccumulateGrad":
        return printable(_("{name} (leaf)").format(name=name or _("unnamed tensor")))
    return printable(f"{name} ← {op}" if name else op)


class GraphPane(Tree[None]):
    """Operations from the result back to its leaves; leaves are named by their variable."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(_(EMPTY), **kwargs)
        self.show_root = True
        self.guide_depth = 3

    def process_label(self, label: str | Text) -> Text:
        """Labels are plain text: a tensor named `[red]x` is shown as typed, not as markup."""
        return Text(label) if isinstance(label, str) else label

    def show(self, graph: wire.GraphNode | None) -> None:
        """Draw `graph` (the runner's tree) or say there is none."""
        self.clear()
        if graph is None:
            self.root.set_label(_(EMPTY))
            return
        self.root.set_label(node_label(graph))
        self._add_branch(self.root, graph)
        self.root.expand_all()

    def _add_branch(self, parent: TreeNode[None], node: wire.GraphNode) -> None:
        for child in node.get("children", []):
            if child.get("children") or child.get("more"):
                branch = parent.add(node_label(child))
                self._add_branch(branch, child)
            else:
                parent.add_leaf(node_label(child))
        if node.get("more"):
            parent.add_leaf(_("… {count} more (graph capped)").format(count=node["more"]))

