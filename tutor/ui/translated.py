"""Textual's texts in the interface language: bindings, the command palette's own commands.

Bindings are class attributes, made when a module is imported; their descriptions (marked with
`N_`) are translated here when each screen is made, so the footer, the help and the palette
follow the language chosen at start (README, "Languages").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from textual.app import SystemCommand
from textual.dom import DOMNode

from tutor.i18n import N_, _

#: Texts of Textual's own that the learner sees: the palette's key in the footer, its
#: placeholder, and the commands Textual adds to it.
TEXTUAL_TEXTS = {
    "palette": N_("palette"),
    "Open the command palette": N_("Open the command palette"),
    "Search for commands…": N_("Search for commands…"),
    "Theme": N_("Theme"),
    "Change the current theme": N_("Change the current theme"),
    "Quit": N_("Quit"),
    "Quit the application as soon as possible": N_("Quit the application as soon as possible"),
    "Keys": N_("Keys"),
    "Hide the keys and widget help panel": N_("Hide the keys and widget help panel"),
    "Show help for the focused widget and a summary of available keys":
        N_("Show help for the focused widget and a summary of available keys"),
    "Minimize": N_("Minimize"),
    "Minimize the widget and restore to normal size":
        N_("Minimize the widget and restore to normal size"),
    "Maximize": N_("Maximize"),
    "Maximize the focused widget": N_("Maximize the focused widget"),
    "Screenshot": N_("Screenshot"),
    "Save an SVG 'screenshot' of the current screen":
        N_("Save an SVG 'screenshot' of the current screen"),
}


def translate_bindings(node: DOMNode) -> None:
    """Give `node`'s own bindings their descriptions and tooltips in the current language."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [replace(binding,
                              description=_(binding.description) if binding.description else "",
                              tooltip=_(binding.tooltip) if binding.tooltip else "")
                      for binding in bindings]


def translated_commands(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's system commands with their titles and help in the current language."""
    for command in commands:
        yield SystemCommand(_(command.title) if command.title else "",
                            _(command.help) if command.help else "", command.callback,
                            command.discover)
