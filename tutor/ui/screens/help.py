"""The help screen: every key of the app and of the screen underneath, from their bindings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rich.table import Table
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Label, Static

from tutor.i18n import N_, _
from tutor.ui.translated import TranslatedModalScreen

#: How a few keys read in the help (others are capitalised: `ctrl+r` -> `Ctrl+R`).
KEY_NAMES = {"question_mark": "?", "escape": "Escape", "enter": "Enter"}

#: What Textual's own focus keys do here, in the words the README and the cell titles use.
DESCRIPTIONS = {
    "app.focus_next": N_("Next: lesson, cell editors, answer fields, panes (in a cell editor "
                         "Tab indents: Escape leaves it first)"),
    "app.focus_previous": N_("Previous field (also out of a cell editor)"),
    "focus_next": N_("Next: lesson, cell editors, answer fields, panes (in a cell editor Tab "
                     "indents: Escape leaves it first)"),
    "focus_previous": N_("Previous field (also out of a cell editor)"),
}


def key_name(key: str) -> str:
    """`Ctrl+R` for `ctrl+r`, `F5` for `f5`, `?` for `question_mark`."""
    return KEY_NAMES.get(key) or "+".join(part.capitalize() for part in key.split("+"))


def declared_bindings(node: DOMNode, keymap: Mapping[str, str], *, own: bool = False
                      ) -> BindingsMap:
    """The bindings `node`'s class and its bases declare in BINDINGS (a subclass's binding of a
    key replacing its base's, as Textual merges them), with `keymap` applied: what the node
    offers wherever focus is (a cell editor takes Tab for itself, yet the help lists Tab).
    With `own`, only the tutor's classes count (not the arrows of Textual's own widgets)."""
    keys: dict[str, list[Binding]] = {}
    for cls in reversed(type(node).__mro__):
        if own and not cls.__module__.startswith("tutor."):
            continue
        if "BINDINGS" in cls.__dict__:
            keys.update(BindingsMap(cls.__dict__["BINDINGS"]).key_to_bindings)
    if isinstance(node, App) and node.use_command_palette:
        # Textual binds the palette's key in App.__init__, from these public settings.
        keys[node.COMMAND_PALETTE_BINDING] = [Binding(
            node.COMMAND_PALETTE_BINDING, "command_palette", "palette",
            key_display=node.COMMAND_PALETTE_DISPLAY, tooltip="Open the command palette")]
    bindings = BindingsMap.from_keys(keys)
    if keymap:
        bindings.apply_keymap(keymap)
    return bindings


def help_rows(screen: Screen[Any], keymap: Mapping[str, str]) -> list[tuple[str, str]]:
    """(keys, description) for every described binding of the focused widget (the tutor's own
    bindings: Enter on the lesson list), the screen and the app, in the order declared, with the
    keys of `keymap` (the app's, from the settings and TUTOR_KEYS)."""
    rows: dict[str, tuple[list[str], str]] = {}
    focused = list(screen.focused.ancestors_with_self) if screen.focused else []
    widgets = [(node, True) for node in focused if node is not screen and node is not screen.app]
    for node, own in (*widgets, (screen, False), (screen.app, False)):
        for key, binding in declared_bindings(node, keymap, own=own):
            if not binding.description:
                continue
            described = DESCRIPTIONS.get(binding.action, binding.tooltip or binding.description)
            keys, _text = rows.setdefault(binding.action, ([], _(described)))
            if key_name(key) not in keys:
                keys.append(key_name(key))
    return [(" / ".join(keys), description) for keys, description in rows.values()]


def first_key(screen: Screen[Any], action: str) -> str:
    """How the first key now bound to `action` on `screen` or the app reads (`F12`), or "" if
    none is (Textual's public view of the bindings, the keymap applied, as the footer has it)."""
    for key, active in screen.active_bindings.items():
        if active.binding.action == action and active.node in (screen, screen.app):
            return key_name(key)
    return ""


def bindings_table(screen: Screen[object], keymap: Mapping[str, str]) -> Table:
    """The keys as a two-column table."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column(_("key"), no_wrap=True)
    table.add_column(_("does"))
    for keys, description in help_rows(screen, keymap):
        table.add_row(keys, description)
    return table


class HelpScreen(TranslatedModalScreen[None]):
    """Lists the keys; any of Escape, F1, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "dismiss", N_("Close help"), id="close-help"),
    ]

    def __init__(self, under: Screen[object], keymap: Mapping[str, str]) -> None:
        super().__init__()
        self.under = under
        self.keymap = keymap
        """The app's keymap (binding id -> keys), as the app holds it from its settings."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Label(_("Keys (Escape closes this help)"), id="help-title")
            yield Static(bindings_table(self.under, self.keymap), id="help-keys")
            yield Static(
                _("Tab and Shift+Tab move between the lesson, the cell editors, the answer fields "
                  "and the panes. In a cell editor Tab indents: Escape leaves the editor (then "
                  "Tab goes on), and Escape in an answer field goes back to the lesson text. The "
                  "mouse works too: click a cell, a tab or a button. Ctrl+P opens the command "
                  "palette, which lists these actions."),
                id="help-notes",
            )

