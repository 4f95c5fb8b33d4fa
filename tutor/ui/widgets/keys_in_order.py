"""Text fields whose own keys act in the order they were typed.

Textual inserts a typed character in the focused widget's key handler, but runs a key
binding (arrows, End, Backspace, Enter in an Input) only once the key has bubbled up to the
app. Keys that arrive together, as they do over SSH when typed quickly or when pasted without
bracketed paste, were then applied out of order: "1 2 Backspace 3" in an answer field left
"12", and "↓ End Enter x" in a cell editor put the new line and the x at the top of the cell.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding
from textual.events import Key


def key_actions(bindings: list[Any]) -> dict[str, str]:
    """Each key of `bindings` and its action (`home` and `ctrl+a` -> `cursor_line_start`)."""
    return {key.strip(): binding.action for binding in bindings
            if isinstance(binding, Binding) for key in binding.key.split(",")}


class KeysInOrder:
    """Mixin for a Textual text widget: its own bindings run from its key handler, in order.

    Put it before the widget class (`class Field(KeysInOrder, Input)`). Priority bindings of
    the screen and the app still come first (Textual checks them before the key reaches the
    widget); other keys (text, Tab, Escape) go on to the widget's own handler.
    """

    KEY_ACTIONS: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.KEY_ACTIONS = key_actions(getattr(cls, "BINDINGS", []))

    async def _on_key(self, event: Key) -> None:
        action = self.KEY_ACTIONS.get(event.key)
        if action is not None and not getattr(self, "read_only", False):
            event.stop()
            event.prevent_default()
            await self.run_action(action)  # type: ignore[attr-defined]
