"""The help screen: every key of the app and of the screen underneath, from their bindings."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
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


def screen_bindings(screen: Screen[Any]) -> list[tuple[str, Binding]]:
    """(key, binding) for every binding of `screen` and of the app that works there now, in
    Textual's own public view of them (`Screen.active_bindings`, what the footer shows): keys
    remapped with the app's keymap come with their new keys, and a key that the focused field
    takes for itself (`?` in an answer field) is left out."""
    return [(key, active.binding) for key, active in screen.active_bindings.items()
            if active.node in (screen, screen.app)]


def key_rows(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, description) for every described binding of the screen and the app, as bound now."""
    rows: dict[str, tuple[list[str], str]] = {}
    for key, binding in screen_bindings(screen):
        if not binding.description:
            continue
        described = DESCRIPTIONS.get(binding.action, binding.tooltip or binding.description)
        keys, _text = rows.setdefault(binding.action, ([], _(described)))
        if key_name(key) not in keys:
            keys.append(key_name(key))
    return [(" / ".join(keys), description) for keys, description in rows.values()]


def first_key(screen: Screen[Any], action: str) -> str:
    """How the first key bound to `action` on `screen` reads (`F12`), or "" if none is."""
    for key, binding in screen_bindings(screen):
        if binding.action == action:
            return key_name(key)
    return ""


def bindings_table(screen: Screen[object]) -> Table:
    """The keys as a two-column table."""
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    table.add_column(_("key"), no_wrap=True)
    table.add_column(_("does"))
    for keys, description in key_rows(screen):
        table.add_row(keys, description)
    return table


class HelpScreen(TranslatedModalScreen[None]):
    """Lists the keys; any of Escape, F1, ? or q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,question_mark,q", "dismiss", N_("Close help"), id="close-help"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Label(_("Keys (Escape closes this help)"), id="help-title")
            yield Static(bindings_table(self.under), id="help-keys")
            yield Static(
                _("Tab and Shift+Tab move between the lesson, the cell editors, the answer fields "
                  "and the panes. In a cell editor Tab indents: Escape leaves the editor (then "
                  "Tab goes on), and Escape in an answer field goes back to the lesson text. The "
                  "mouse works too: click a cell, a tab or a button. Ctrl+P opens the command "
                  "palette, which lists these actions."),
                id="help-notes",
            )

