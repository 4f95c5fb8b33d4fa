"""The interface language: gettext catalogs and the choice of language (README, "Languages").

Core: plain Python, no Textual. Messages are marked with `_()` (or `N_()` where a constant
is defined before a language is chosen, and translated with `_()` where it is shown). The
catalogs are `tutor/locale/<code>/LC_MESSAGES/tutor.mo`, compiled by Babel from the `.po`
sources beside them; Babel itself is never imported here.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DOMAIN = "tutor"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The language the messages are written in.
SOURCE_LANGUAGE = "en"
#: Environment variable naming the language, between `--lang` and the settings file.
LANGUAGE_VARIABLE = "TUTOR_LANG"
#: The locale variables, in the order the C library reads them for messages.
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = SOURCE_LANGUAGE


def _(message: str) -> str:
    """`message` in the current language (itself when there is no translation)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the current language."""
    return _translation.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it yet (translate it where shown)."""
    return message


def available_languages() -> list[str]:
    """English and every language with a compiled catalog, sorted."""
    found = {SOURCE_LANGUAGE}
    if LOCALE_DIR.is_dir():
        for folder in LOCALE_DIR.iterdir():
            if (folder / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
                found.add(folder.name)
    return sorted(found)


def normalise(code: str) -> str:
    """`sw_TZ.UTF-8`, `sw-KE`, `SW` -> `sw`; `C` and `POSIX` -> `en`."""
    base = code.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return SOURCE_LANGUAGE if base in ("c", "posix", "") else base


@dataclass(frozen=True)
class Choice:
    """The language in use, and a notice when the one asked for is not available."""

    language: str
    notice: str | None = None


def choose_language(option: str | None, setting: str | None,
                    environ: Mapping[str, str] = os.environ) -> Choice:
    """`--lang`, else TUTOR_LANG, else the settings file's `language`, else the locale, else
    English. A code asked for explicitly that has no catalog gives English and a notice."""
    available = available_languages()
    for asked in (option, environ.get(LANGUAGE_VARIABLE), setting):
        if asked and asked.strip():
            code = normalise(asked)
            if code in available:
                return Choice(code)
            return Choice(SOURCE_LANGUAGE, not_available(asked.strip(), available))
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable)
        if value:
            code = normalise(value)
            return Choice(code if code in available else SOURCE_LANGUAGE)
    return Choice(SOURCE_LANGUAGE)


def not_available(asked: str, available: list[str]) -> str:
    """The notice for a language code that has no translation."""
    # Said in English: the language asked for is not there, and English is what follows.
    return (f"language '{asked}' is not available (available: {', '.join(available)}); "
            "using English")


def set_language(code: str) -> None:
    """Translate messages into `code` from now on (English when it has no catalog)."""
    global _translation, _language
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)
    _language = code if isinstance(_translation, gettext.GNUTranslations) else SOURCE_LANGUAGE


def current_language() -> str:
    """The code of the language messages are shown in."""
    return _language
