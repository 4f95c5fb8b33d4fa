"""Keys act in the order they were typed, also when they arrive together.

Textual runs a priority binding's action as soon as the app reads its key, while the keys read
just before it are still queued at the focused widget. In one burst (a paste of keystrokes, tmux
`send-keys`, a slow SSH link delivering several at once) `x y z F9` put the lesson's code back
and then typed `xyz` into it. An action marked `in_typed_order` is queued at the focused widget
instead, behind those keys, and runs there.

Only for actions on what the focused widget holds that neither move the focus nor remove the
widget (running and resetting a cell): an action that moves the focus must run at once, so that
the keys after it go where it sends them (F2 and then an answer), and one that removes widgets
must not run in a task of the widget it removes. tests/ui/test_key_bursts.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from textual.screen import Screen

Action = TypeVar("Action", bound=Callable[..., Any])


def in_typed_order(action: Action) -> Action:
    """A screen's action that runs after the keys already sent to the focused widget."""

    @functools.wraps(action)
    def queued(screen: Screen[Any], *args: Any) -> None:
        focused = screen.focused
        (focused or screen).call_later(action, screen, *args)

    return queued  # type: ignore[return-value]
