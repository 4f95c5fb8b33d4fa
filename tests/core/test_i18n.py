"""The interface language: how it is chosen, and messages and verdicts in Kiswahili."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tutor.grading import grade
from tutor.i18n import (
    _,
    available_languages,
    choose_language,
    current_language,
    ngettext,
    normalise,
    set_language,
)


def test_kiswahili_and_english_are_available() -> None:
    assert available_languages() == ["en", "sw"]


@pytest.mark.parametrize(("code", "expected"), [
    ("sw_TZ.UTF-8", "sw"), ("sw_KE.UTF-8", "sw"), ("sw-KE", "sw"), ("SW", "sw"),
    ("en_GB.UTF-8", "en"), ("C", "en"), ("POSIX", "en"), ("C.UTF-8", "en"), ("fr_FR@euro", "fr"),
])
def test_codes_and_locales_normalise_to_a_language(code: str, expected: str) -> None:
    assert normalise(code) == expected


def test_the_option_wins_then_tutor_lang_then_the_settings_file_then_the_locale() -> None:
    env = {"TUTOR_LANG": "en", "LANG": "sw_TZ.UTF-8"}
    assert choose_language("sw", "en", env).language == "sw"
    assert choose_language(None, "sw", env).language == "en"
    assert choose_language(None, "sw", {"LANG": "en_US.UTF-8"}).language == "sw"
    assert choose_language(None, None, {"LANG": "sw_TZ.UTF-8"}).language == "sw"
    assert choose_language(None, None, {}).language == "en"


def test_locale_variables_are_read_in_the_c_library_order() -> None:
    env = {"LC_ALL": "sw_KE.UTF-8", "LC_MESSAGES": "en_US.UTF-8", "LANG": "en_US.UTF-8"}
    assert choose_language(None, None, env).language == "sw"
    env = {"LC_ALL": "", "LC_MESSAGES": "sw_TZ.UTF-8", "LANG": "en_US.UTF-8"}
    assert choose_language(None, None, env).language == "sw"
    assert choose_language(None, None, {"LANG": "C"}).language == "en"


def test_a_locale_without_a_translation_is_english_without_a_notice() -> None:
    assert choose_language(None, None, {"LANG": "fr_FR.UTF-8"}) == choose_language(None, None, {})
    assert choose_language(None, None, {"LANG": "fr_FR.UTF-8"}).notice is None


def test_an_unknown_code_asked_for_is_english_with_a_notice_naming_the_languages() -> None:
    for option, env, setting in (("xx", {}, None), (None, {"TUTOR_LANG": "xx"}, None),
                                 (None, {}, "xx")):
        choice = choose_language(option, setting, env)
        assert choice.language == "en"
        assert choice.notice == ("language 'xx' is not available (available: en, sw); "
                                 "using English")


def test_messages_follow_the_language_set() -> None:
    assert _("Correct: {value}.") == "Correct: {value}."
    set_language("sw")
    assert current_language() == "sw"
    assert _("Correct: {value}.") == "Sahihi: {value}."
    assert ngettext("{count} significant digit (±{half})",
                    "{count} significant digits (±{half})", 3).startswith("tarakimu muhimu")
    set_language("xx")
    assert current_language() == "en"
    assert _("Correct: {value}.") == "Correct: {value}."


def test_a_wrong_answer_gets_a_kiswahili_verdict_with_its_values_filled_in() -> None:
    set_language("sw")
    wrong = grade("number", "0.18", 0.0898)
    assert not wrong.correct
    assert wrong.message == "Yako ni mara mbili ya thamani iliyohesabiwa."
    close = grade("number", "-0.0891", -0.089812)
    assert close.message == "Karibu: sahihi hadi tarakimu muhimu 1; tarakimu ya 2 si sahihi."
    shape = grade("shape", "(3, 2)", [2, 3])
    assert shape.message == "(3, 2) ina ukubwa sahihi kwa mpangilio usio sahihi."
    right = grade("choice", "b", "two", choices=["one", "two"])
    assert right.message == "Sahihi: (b) two."
    unreadable = grade("dtype", "floaty", "torch.float32")
    assert unreadable.message.startswith("Andika aina ya data (dtype) kama ")


def test_english_verdicts_read_as_before() -> None:
    assert grade("number", "0.18", 0.0898).message == "Yours is twice the computed value."
    assert grade("shape", "(2, 4)", [2, 3]).message == (
        "Right number of dimensions, but the size differs in dimension 1.")


def run_tutor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    environment = {key: value for key, value in os.environ.items()
                   if key not in ("LANG", "LC_ALL", "LC_MESSAGES", "TUTOR_LANG")}
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True,
                          text=True, timeout=60, env={**environment, **(env or {})})


def test_the_command_line_help_is_in_the_language_of_the_locale() -> None:
    swahili = run_tutor("--help", env={"LANG": "sw_TZ.UTF-8"})
    assert swahili.returncode == 0
    assert "orodhesha masomo, hatua zake na maswali yake" in swahili.stdout
    english = run_tutor("--help", env={"LANG": "en_US.UTF-8"})
    assert "list the lessons, their steps and quizzes" in english.stdout


def test_an_unknown_language_is_said_once_on_stderr_and_english_follows() -> None:
    result = run_tutor("--lang", "xx", "list")
    assert result.returncode == 0
    assert result.stderr.count("not available") == 1
    assert "tutor: language 'xx' is not available (available: en, sw); using English" \
        in result.stderr
    assert " steps, " in result.stdout


def test_list_in_kiswahili_from_tutor_lang_and_json_stays_english() -> None:
    text = run_tutor("list", env={"TUTOR_LANG": "sw"})
    assert "    hatua 7, seli 5, maswali 9  (" in text.stdout
    assert "7 steps, 5 cells" not in text.stdout
    data = run_tutor("list", "--json", env={"TUTOR_LANG": "sw"})
    assert '"lessons"' in data.stdout and '"steps"' in data.stdout


def test_the_settings_file_language_is_used(tutor_home: object) -> None:
    from pathlib import Path

    Path(str(tutor_home), "settings.toml").write_text('language = "sw"\n', encoding="utf-8")
    result = run_tutor("progress")
    assert result.stdout.startswith("Maendeleo yamehifadhiwa katika ")


def test_a_runner_sentence_is_worded_where_it_is_shown() -> None:
    """The runner's processes send a sentence's template and values (tutor.runner.wire.said);
    the app words it in its own language, and keeps the English for anything malformed."""
    from tutor.i18n import N_
    from tutor.runner import wire
    from tutor.runner.requests import in_app_language

    sentence = wire.said(N_("{name} at line {line}: {detail}"), name="KeyboardInterrupt",
                         line=3, detail=wire.said(N_("the cell was interrupted")))
    english = wire.worded(sentence)
    assert english == "KeyboardInterrupt at line 3: the cell was interrupted"
    assert in_app_language(sentence, english) == english
    set_language("sw")
    assert in_app_language(sentence, english) == \
        "KeyboardInterrupt kwenye mstari 3: seli ilikatizwa"
    for broken in (None, "text", ["{missing}", {}], ["{x}", []], [1, 2, 3]):
        assert in_app_language(broken, "English") == "English"
    # A cell can forge a reply: a sentence whose fields would fill the app's memory, reach
    # into its values' attributes, or nest without end is not worded either.
    nested: list[object] = ["{x}", {"x": "end"}]
    for _level in range(wire.MAX_SAID_DEPTH + 1):
        nested = ["{x}", {"x": nested}]
    for forged in (["{x:>300000000}", {"x": 1}], ["{x.__class__}", {"x": 1}],
                   ["{x[0]}", {"x": "ab"}], ["{x!r}", {"x": 1}], ["{0}", {}], nested):
        assert in_app_language(forged, "English") == "English"


def test_a_failing_cell_and_a_broken_lesson_are_reported_in_kiswahili(tmp_path) -> None:
    """`tutor --lang sw check`: the worker's error for a cell and a lesson file's error."""
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "01-fails.md").write_text(
        "---\nid: fails\ntitle: Fails\n---\n\n## One\n\n```python\nx = 1\ny = x / 0\n```\n",
        encoding="utf-8")
    (lessons / "02-broken.md").write_text("---\nid: broken\n---\n\nText.\n", encoding="utf-8")
    result = run_tutor("--lang", "sw", "check", "--lessons", str(lessons), "--device", "cpu")
    assert result.returncode == 1
    assert "ZeroDivisionError kwenye mstari 2: division by zero" in result.stdout + result.stderr
    assert "02-broken.md:2: sehemu ya juu (front matter) haina 'title'" in (
        result.stdout + result.stderr)
    english = run_tutor("check", "--lessons", str(lessons), "--device", "cpu")
    assert "ZeroDivisionError at line 2: division by zero" in english.stdout + english.stderr
