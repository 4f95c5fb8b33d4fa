"""Letting removed widgets go: Textual 8.2 keeps them long after they are removed.

Textual drops its references to a removed widget only when something rare happens:
- a watcher (`watch`, `data_bind`) stays on the watched node until the watched value next changes
  (Textualize/textual#6666): the app's `theme` holds every cell editor ever made, the footer's
  `compact` every key it ever drew, and it draws them anew at each focus change;
- a signal's subscription stays until the signal is next published (every editor and answer
  field subscribe to the screen's text-selection signal);
- each node caches its `query_one` results under a count of DOM changes, so a removed widget's
  entry is never looked up again but stays until 1024 newer ones push it out;
- `StylesCache.get_inner_outer` is an `lru_cache` on a method (Textualize/textual#6665): it holds up
  to 1024 widgets' caches of rendered lines.
Walking through a lesson and back grew the UI by ~26 MiB a round (BENCHMARKS.md, UI);
tests/ui/test_ui_memory.py checks that left steps and replaced footer keys are freed.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable

from textual.app import App
from textual.dom import DOMNode
from textual.signal import Signal
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """Textual's footer, which lets go of the keys it replaces when the bindings change."""

    async def recompose(self) -> None:
        await super().recompose()
        forget_removed(self)


def release_removed_widgets(app: App[object], *, full: bool = True) -> None:
    """Drop what the app, its screens and the current screen's widgets keep of removed widgets
    (see the module's notes), then free their reference cycles and give the freed heap back to
    the system (glibc's `malloc_trim`: about 2 MiB after a step change).

    `full` collects every generation (a left step's widgets are old: ~60 ms with a lesson
    open); after a run only the young ones are (~1 ms), which hold what the run's reply made."""
    screens = app.screen_stack  # empty while the app closes
    for node in (app, *screens, *(screens[-1].walk_children() if screens else ())):
        forget_removed(node)
    try:
        from textual._styles_cache import StylesCache
        StylesCache.get_inner_outer.cache_clear()
    except (ImportError, AttributeError):  # a later Textual without that cache
        pass
    gc.collect(2 if full else 1)
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def forget_removed(node: DOMNode) -> None:
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
    """glibc's `malloc_trim`, or None where the C library has none (macOS, musl). ctypes is
    imported here, not before the lesson list's first frame (this module is imported there)."""
    import ctypes

    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None
