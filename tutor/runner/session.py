"""No hidden state: running cell k means cells 0..k-1, as they stand now, ran once, in order.

Implemented by replay: the session remembers which cell sources its worker has run; when the cells
before k differ from that history (an edit, a re-run, a failure, a lost worker) it resets the
namespace (a fork from the zygote, milliseconds) and re-runs the prefix. Fork-based checkpoints
would avoid the replay; lessons' cells are small, so replay stays well under a second.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tutor.i18n import _
from tutor.runner import wire
from tutor.runner.client import Runner


class CellSession:
    """One namespace driven by a list of cell sources (the learner's or the reference's)."""

    def __init__(self, runner: Runner, namespace: str) -> None:
        self.runner = runner
        self.namespace = namespace
        self._history: list[str] = []
        self._generation: int | None = None

    def _in_sync(self, prefix: list[str]) -> bool:
        """True when the worker holds a prefix of `prefix` and nothing else."""
        return (
            self._generation == self.runner.generation(self.namespace)
            and len(self._history) <= len(prefix)
            and prefix[: len(self._history)] == self._history
        )

    async def _run(self, cells: list[str], index: int, **options: Any) -> wire.CellResult:
        ran = await self.runner.execute(
            self.namespace, cells[index], filename=f"<cell {index + 1}>", **options)
        result: wire.CellResult = {**ran, "cell": index}
        if result["ok"] and self._generation == self.runner.generation(self.namespace):
            self._history.append(cells[index])
        else:
            self._generation = None  # a half-run cell leaves state the history cannot describe
        return result

    async def _prepare(
        self, cells: list[str], index: int, timeout: float | None
    ) -> wire.CellResult | None:
        """Bring the namespace to exactly cells[:index]; return the failing cell's result if any."""
        prefix = cells[:index]
        if not self._in_sync(prefix):
            await self.reset()
        for position in range(len(self._history), index):
            result = await self._run(cells, position, timeout=timeout)
            error = result["error"]
            if error is not None:
                error["message"] = _("Cell {number} failed first: {error}").format(
                    number=position + 1, error=error["message"])

                return result
        return None

    async def run_cell(
        self,
        cells: list[str],
        index: int,
        *,
        on_output: Callable[[str], None] | None = None,
        timeout: float | None = None,
    ) -> wire.CellResult:
        """Run cells[index] after exactly cells[:index]; the result's `cell` says which cell it is.

        If an earlier cell fails, its result is returned instead (with `cell` set to its index).
        """
        failed = await self._prepare(cells, index, timeout)
        if failed is not None:
            return failed
        return await self._run(cells, index, on_output=on_output, timeout=timeout)

    async def evaluate_at(
        self,
        cells: list[str],
        index: int,
        expression: str,
        *,
        fresh_copy: bool = False,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Evaluate `expression` after exactly cells[:index] have run.

        Without `fresh_copy` the expression is trusted not to change the namespace. `timeout`
        applies to each replayed cell and to the expression, as in `run_cell`.
        """
        failed = await self._prepare(cells, index, timeout)
        if failed is not None:
            return {"ok": False, "value": None, "repr": "", "error": failed["error"],
                    "cell": failed["cell"]}
        result = await self.runner.evaluate(
            self.namespace, expression, fresh_copy=fresh_copy, timeout=timeout)
        if (result.get("error") or {}).get("kind") == "crash":
            self._generation = None  # the namespace was reset: replay before the next use
        return result

    async def reset(self) -> None:
        """Start over from an empty namespace."""
        await self.runner.reset(self.namespace)
        self._history = []
        self._generation = self.runner.generation(self.namespace)

    async def close(self) -> None:
        """End this namespace's worker (a lesson screen closing); a later run starts afresh."""
        await self.runner.drop(self.namespace)
        self._history = []
        self._generation = None
