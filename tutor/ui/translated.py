"""Textual's texts in the interface language: bindings, the command palette's own commands.

Bindings are class attributes, made when a module is imported (in `tutor serve`'s UI zygote,
before any learner has chosen a language); their descriptions are marked with `N_` and stay in
English there. The screens translate them where Textual reads them: `Screen.active_bindings`,
the public property the footer, the key panel and the command palette show bindings from. So the
language chosen at start (README, "Languages") is the one shown, whichever screen is current.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from typing import TypeVar

from textual.app import SystemCommand
from textual.binding import ActiveBinding, Binding
from textual.screen import ModalScreen, Screen

from tutor.i18n import N_, _, current_language

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
    "Copy selected text": N_("Copy selected text"),
    "Screenshot": N_("Screenshot"),
    "Save an SVG 'screenshot' of the current screen":
        N_("Save an SVG 'screenshot' of the current screen"),
}

ResultType = TypeVar("ResultType")


@lru_cache(maxsize=1024)
def translated_binding(binding: Binding, language: str) -> Binding:
    """`binding` with its description and tooltip in `language` (the current one: the key
    only keeps the cache apart between languages)."""
    return replace(binding, description=_(binding.description) if binding.description else "",
                   tooltip=_(binding.tooltip) if binding.tooltip else "")


def translated_bindings(bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """Active bindings (key -> binding) with their texts in the current language."""
    language = current_language()
    return {key: active._replace(binding=translated_binding(active.binding, language),
                                 tooltip=_(active.tooltip) if active.tooltip else "")
            for key, active in bindings.items()}


class TranslatedScreen(Screen[ResultType]):
    """A screen whose bindings, and the app's, show in the interface language."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated_bindings(super().active_bindings)


class TranslatedModalScreen(ModalScreen[ResultType]):
    """A modal screen whose bindings show in the interface language."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated_bindings(super().active_bindings)


def translated_commands(commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's system commands with their titles and help in the current language."""
    for command in commands:
        yield SystemCommand(_(command.title) if command.title else "",
                            _(command.help) if command.help else "", command.callback,
                            command.discover)
