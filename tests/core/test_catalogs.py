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
#: argparse's own messages use %-style placeholders (tutor/commands/argparse_words.py).
PERCENT = re.compile(r"%(?:\(\w+\))?[sdr]")
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
    assert len(committed) > 300


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
        percent = sorted(PERCENT.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, (message.id, string)
            assert sorted(PERCENT.findall(string)) == percent, (message.id, string)
            assert string.endswith("\n") == ids[-1].endswith("\n"), (message.id, string)


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


# --- Nothing the learner or teacher reads is left in English (issue #13) --------------------
# The catalog tests above check every marked message; these run the code and look at what it
# prints, so a message that never went through `_()` is caught too.

#: Common English words no Kiswahili help or error should hold. Code, keys, option and command
#: names, paths and quoted text are taken out first (`english_words`).
ENGLISH = {"the", "and", "or", "of", "to", "is", "are", "help", "this", "with", "from", "for",
           "your", "instead", "default", "usage", "options", "arguments", "argument", "message",
           "exit", "every", "only", "read", "print", "run", "required", "error", "invalid",
           "choose", "unrecognized", "expected", "program", "version", "must", "has", "not",
           "no", "line", "file", "missing", "unknown", "lesson", "lessons", "step", "cell",
           "cells", "differs", "english", "once", "per", "at", "class", "students", "listen",
           "erase", "name"}
CODE_OR_QUOTED = re.compile(r"(?<![A-Za-z])'[^'\n]*'|`[^`\n]*`|\S*[-/.=_]\S*")


def english_words(text: str) -> set[str]:
    """The words of ENGLISH in `text`, outside quotes, code, option names and paths."""
    return set(re.findall(r"[a-z]+", CODE_OR_QUOTED.sub(" ", text).lower())) & ENGLISH


def run_main(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from tutor.cli import main

    try:
        status = main(list(args))
    except SystemExit as exc:
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_the_detector_finds_english(capsys: pytest.CaptureFixture[str]) -> None:
    """The checks below can fail: the English help and errors are full of ENGLISH words."""
    assert english_words(run_main("--help", capsys=capsys)[1]) >= {"the", "help", "options"}
    assert english_words(run_main("serve", capsys=capsys)[2]) >= {"usage", "error", "required"}
    assert english_words("'the' `run` --the-option /the/path x.the") == set()


@pytest.mark.parametrize("command", [None, "list", "check", "progress", "doctor", "serve",
                                     "report"])
def test_every_help_is_in_kiswahili(command: str | None,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _err = run_main("--lang", "sw", *([command] if command else []), "--help",
                                 capsys=capsys)
    assert status == 0
    assert "matumizi: tutor" in out and "chaguo:" in out
    assert english_words(out) == set(), out


@pytest.mark.parametrize("args", [("serve",), ("list", "--bogus"),
                                  ("serve", "--class", "c", "--port", "many"),
                                  ("progress", "--json", "--csv")])
def test_a_command_line_mistake_is_said_in_kiswahili(
        args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run_main("--lang", "sw", *args, capsys=capsys)
    english = run_main(*args, capsys=capsys)
    assert status == english[0] == 2
    assert ": hitilafu: " in err and err != english[2]
    assert english_words(err) == set(), err


def test_a_broken_settings_file_is_said_in_kiswahili(tutor_home: Path) -> None:
    from tutor.i18n import set_language
    from tutor.settings import SettingsError, load_settings

    path = tutor_home / "settings.toml"
    for text in ('theme = \n', 'colour = "red"\n', 'device = 5\n', 'keys = "f5"\n',
                 '[keys]\nzoom = 12\n'):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(SettingsError) as caught:
            load_settings(path)
        english = str(caught.value)
        set_language("sw")
        swahili = str(caught.value)  # worded when shown: the file is read before the language
        set_language("en")
        assert swahili != english and swahili.startswith(f"{path}:")
        # What follows a colon in the message can be Python's TOML reader's own words.
        assert english_words(swahili.split(": ", 1)[1].partition(": ")[0]) == set(), swahili


#: BROKEN lessons whose message ends with the words of YAML, Python or the OS after a colon.
OUTSIDE_WORDS = {"front-yaml", "quiz-yaml", "syntax-error", "answer-not-expression",
                 "task-bad-check", "task-solution-syntax"}


def test_every_lesson_file_error_is_said_in_kiswahili(tmp_path: Path) -> None:
    from tests.core.test_lesson_file import BROKEN, GOOD
    from tests.core.test_translation_format import ENGLISH as DEMO
    from tutor.course import load_course
    from tutor.i18n import set_language

    lessons = tmp_path / "lessons"
    (lessons / "sw").mkdir(parents=True)
    (lessons / "00-good.md").write_text(GOOD, encoding="utf-8")
    for name, (text, _fragment, _message) in BROKEN.items():
        (lessons / f"{name}.md").write_text(text, encoding="utf-8")
    (lessons / "not-utf8.md").write_bytes(GOOD.replace("id: good", "id: latin").encode()
                                          + b"\ncaf\xe9\n")
    # Translations that do not match their English lesson, one defect each.
    translations = {
        "steps": DEMO.split("## More")[0],
        "code": DEMO.replace("x = 3", "x = 4"),
        "quiz-ids": DEMO.replace("id: name", "id: jina"),
        "quiz-type": DEMO.replace("type: text", "type: choice\nchoices: [a, b]", 1),
        "choices": DEMO.replace("[one, three, two]", "[moja, tatu]"),
        "inherited": DEMO.replace("answer: y\n", "answer: y + 1\n"),
        "front": DEMO.replace("order: 1", "order: 2"),
    }
    for number, (name, text) in enumerate(translations.items()):
        (lessons / f"{name}.md").write_text(DEMO.replace("id: demo", f"id: demo-{number}"),
                                            encoding="utf-8")
        (lessons / "sw" / f"{name}.md").write_text(
            text.replace("id: demo", f"id: demo-{number}"), encoding="utf-8")
    (lessons / "sw" / "broken.md").write_text("no front matter\n", encoding="utf-8")
    (lessons / "broken.md").write_text(DEMO.replace("id: demo", "id: demo-b"), encoding="utf-8")

    english = load_course(lessons, "sw", use_cache=False).errors
    set_language("sw")
    swahili = load_course(lessons, "sw", use_cache=False).errors
    assert len(swahili) == len(english) > len(BROKEN) + len(translations)
    for ours, theirs in zip(english, swahili, strict=True):
        assert (theirs.file, theirs.line) == (ours.file, ours.line)
        assert theirs.message != ours.message, ours.message
        words = theirs.message
        if Path(ours.file).stem in OUTSIDE_WORDS:
            words = words.partition(": ")[0]
        assert english_words(words) == set(), (ours.message, theirs.message)
