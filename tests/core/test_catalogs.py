"""The interface catalogs: the .pot matches the code, every message has a Kiswahili translation
with the same placeholders, and the shipped .mo is what Babel compiles from the .po."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest

babel_messages = pytest.importorskip("babel.messages")
from babel.messages.extract import extract_from_dir  # noqa: E402
from babel.messages.frontend import parse_mapping_cfg  # noqa: E402
from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from tutor.i18n import DOMAIN, LOCALE_DIR, available_languages  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
POT = LOCALE_DIR / f"{DOMAIN}.pot"
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
TRANSLATED = [code for code in available_languages() if code != "en"]


def _catalog(path: Path) -> object:
    with path.open("rb") as file:
        return read_po(file)


def _ids(catalog: object) -> set[object]:
    return {message.id for message in catalog if message.id}  # type: ignore[attr-defined]


def test_the_pot_holds_exactly_the_messages_in_the_code() -> None:
    """The documented `pybabel extract` run again gives the committed .pot's messages."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    extracted = {
        message if isinstance(message, str) else tuple(message)
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT / "tutor"), method_map, options_map, comment_tags=("TRANSLATORS:",))
    }
    committed = _ids(_catalog(POT))
    assert sorted(map(str, extracted - committed)) == [], "run pybabel extract (README)"
    assert sorted(map(str, committed - extracted)) == [], "run pybabel extract (README)"
    assert len(committed) > 200


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(code: str) -> None:
    po = _catalog(LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po")
    assert _ids(po) == _ids(_catalog(POT)), "run pybabel update (README)"
    for message in po:  # type: ignore[attr-defined]
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(s.strip() for s in strings), f"untranslated: {message.id!r}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_every_placeholder(code: str) -> None:
    po = _catalog(LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po")
    for message in po:  # type: ignore[attr-defined]
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, (message.id, string)


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_shipped_mo_is_the_compiled_po(code: str) -> None:
    """`pybabel compile` was run after the last change to the .po (README)."""
    folder = LOCALE_DIR / code / "LC_MESSAGES"
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(folder / f"{DOMAIN}.po"))
    compiled.seek(0)
    fresh = gettext.GNUTranslations(compiled)
    with (folder / f"{DOMAIN}.mo").open("rb") as file:
        shipped = gettext.GNUTranslations(file)
    assert shipped._catalog == fresh._catalog  # type: ignore[attr-defined]
