"""One step of a lesson: its prose, static code, runnable cells and quizzes, in file order.

Only the step on screen is built, and a step that was left must be freed: walking through a
lesson and back grew the UI by ~26 MiB a round, because Textual 8.2 keeps removed widgets in
three places until something that rarely happens (see `release_removed_widgets`).
`bench/ui_memory.py` measures it; tests/ui/test_ui_memory.py checks that the steps are freed.
"""

from __future__ import annotations

import ctypes
import functools
import gc
from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.signal import Signal
from textual.widgets import Label, Static

from tutor.course import Cell, Prose, Quiz, StaticCode, Step
from tutor.grading import QuizAttempts
from tutor.i18n import _
from tutor.ui.widgets.cell_editor import CellEditor
from tutor.ui.widgets.prose import Prose as ProseView
from tutor.ui.widgets.quiz_panel import QuizPanel


class StepView(VerticalScroll):
    """Renders a step; cell sources and quiz states are handed down by the lesson screen."""

    def __init__(
        self, step: Step, total: int, sources: list[str], quizzes: dict[str, QuizAttempts]
    ) -> None:
        super().__init__(id="step")
        self.step = step
        self.total = total
        self.sources = sources
        self.quizzes = quizzes

    def compose(self) -> ComposeResult:
        yield Label(f"{self.step.index + 1}/{self.total} · {self.step.title}", id="step-title")
        for block in self.step.blocks:
            if isinstance(block, Prose):
                yield ProseView(block.text, classes="prose")
            elif isinstance(block, StaticCode):
                yield ProseView(f"```python\n{block.source.rstrip()}\n```", classes="static-code")
            elif isinstance(block, Cell):
                yield CellEditor(block, self.sources[block.index])
            elif isinstance(block, Quiz):
                yield QuizPanel(block, self.quizzes[block.id])
        if not self.step.cells and not self.step.quizzes:
            last = self.step.index == self.total - 1
            yield Label(_("Nothing to run here: this is the lesson's last step.") if last else
                        _("Nothing to run here: F8 goes on to the next step."),
                        classes="step-hint")

    def on_unmount(self) -> None:
        # Once it is gone (the next step shown, or the lesson left), what it took with it goes.
        self.app.call_after_refresh(release_removed_widgets, self.app)

    def show_end(self, text: str, kind: str) -> None:
        """A line at the end of the step about the whole lesson (complete, or what is still
        open); "" takes it away. It is not scrolled to: the learner reaches it reading on."""
        lines = self.query("#lesson-end")
        if not text:
            lines.remove()
            return
        if lines:
            line = self.query_one("#lesson-end", Static)
            line.update(text)
        else:
            line = Static(text, id="lesson-end", markup=False)
            self.mount(line)
        line.set_classes(f"lesson-end {kind}".strip())

    def cell_editors(self) -> list[CellEditor]:
        return list(self.query(CellEditor))

    def quiz_panels(self) -> list[QuizPanel]:
        return list(self.query(QuizPanel))



def release_removed_widgets(app: App[object]) -> None:
    """Let removed widgets go, and give the memory they held back to the system.

    Textual 8.2 drops its references to a removed widget only when something rare happens:
    - a watcher (`watch`, `data_bind`) stays on the watched node until the watched value next
      changes (Textual issue #6666): the app's `theme` holds every cell editor ever made, the
      footer's `compact` every key it ever drew (it draws them anew at each focus change);
    - a signal's subscription stays until the signal is next published (every editor and answer
      field subscribe to the screen's text-selection signal);
    - each node caches its `query_one` results under a count of DOM changes, so a removed
      widget's entry is never looked up again but stays until 1024 newer ones push it out;
    - `StylesCache.get_inner_outer` is an `lru_cache` on a method (Textual issue #6665): it holds
      up to 1024 widgets' caches of rendered lines.
    Entries of removed nodes are dropped as Textual itself drops them (a closing node's); the
    rest are caches, filled again on the next query or render. Then the collector frees the
    removed widgets' reference cycles and glibc's `malloc_trim` returns the freed heap.
    """
    for node in (app, *app.screen_stack, *app.screen.walk_children()):
        _forget_removed(node)
    try:
        from textual._styles_cache import StylesCache
        StylesCache.get_inner_outer.cache_clear()
    except (ImportError, AttributeError):  # a later Textual without that cache
        pass
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _forget_removed(node: DOMNode) -> None:
    """Drop `node`'s cached queries, and its watchers and signal subscriptions that belong to
    closing (removed) nodes."""
    node._query_one_cache.clear()
    watchers: dict[str, list[tuple[object, object]]] = getattr(node, "__watchers", {})
    for entries in watchers.values():
        entries[:] = [(owner, callback) for owner, callback in entries
                      if not getattr(owner, "_closing", False)]
    for value in vars(node).values():
        if isinstance(value, Signal):
            for subscriber in [n for n in value._subscriptions if n._closing]:
                value.unsubscribe(subscriber)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where the C library has none (macOS, musl)."""
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None
