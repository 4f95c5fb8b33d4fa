"""The lesson's cells as the learner has them, the lesson's originals, and what has run."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any


class CellState(enum.Enum):
    """Where a cell stands in the learner's namespace."""

    NOT_RUN = "not-run"
    RUNNING = "running"
    RAN = "ran"
    FAILED = "failed"


class Cells:
    """Sources (edited and original) and how far the learner's namespace has run through them.

    The runner's `CellSession` keeps the namespace equal to a prefix of the sources; `ran_through`
    mirrors that prefix for the screen, and `failed` names the cell whose last run failed.
    """

    def __init__(self, originals: list[str]) -> None:
        self.originals = list(originals)
        self.sources = list(originals)
        self.ran_through = 0
        """Cells 0..ran_through-1 have run in the learner's namespace."""
        self.failed: int | None = None
        self.running: int | None = None

    def edit(self, index: int, source: str) -> None:
        """Cell `index` now reads `source`; the namespace no longer holds it or what follows."""
        self.sources[index] = source
        self.ran_through = min(self.ran_through, index)
        if self.failed is not None and self.failed >= index:
            self.failed = None

    def edited_before(self, count: int) -> bool:
        """Whether any of the first `count` cells differs from the lesson's."""
        return self.sources[:count] != self.originals[:count]

    def has_run(self, index: int) -> bool:
        return index < self.ran_through

    def after_run(self, index: int, result: Mapping[str, Any]) -> None:
        """Cell `index` ran (its result, or that of an earlier cell that failed first)."""
        self.running = None
        if result["ok"]:
            self.ran_through = max(self.ran_through, index + 1)
            self.failed = None
        else:
            failed = int(result.get("cell", index))
            self.ran_through = min(self.ran_through, failed)
            self.failed = failed

    def after_prefix(self, count: int, result: Mapping[str, Any]) -> None:
        """The namespace was brought to exactly the first `count` cells (to evaluate there)."""
        if "cell" in result and not result["ok"]:  # a cell before the expression failed
            self.after_run(int(result["cell"]), result)
        else:
            self.ran_through = count

    def state(self, index: int) -> CellState:
        if index == self.running:
            return CellState.RUNNING
        if index == self.failed:
            return CellState.FAILED
        return CellState.RAN if index < self.ran_through else CellState.NOT_RUN

    def states(self) -> dict[int, CellState]:
        """Every cell's state, by cell index."""
        return {index: self.state(index) for index in range(len(self.sources))}
