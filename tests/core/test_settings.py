"""The settings file: what it may hold, how a broken one is reported, and what wins over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.cli import main
from tutor.settings import (
    Settings,
    SettingsError,
    keymap,
    load_settings,
    parse_settings,
    save_setting,
    settings_path,
)

GOOD = '''device = "cpu"
theme = "textual-light"
language = "sw"

[keys]
zoom = "f11,ctrl+l"
next-step = "ctrl+f"
'''


def test_a_full_settings_file(tmp_path: Path) -> None:
    settings = parse_settings(GOOD, tmp_path / "settings.toml")
    assert settings.device == "cpu" and settings.theme == "textual-light"
    assert settings.language == "sw"
    assert settings.keys == {"zoom": "f11,ctrl+l", "next-step": "ctrl+f"}


def test_no_file_means_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "missing.toml") == Settings(path=tmp_path / "missing.toml")


def test_the_file_lives_in_tutor_home_when_set(tutor_home: Path) -> None:
    assert settings_path() == tutor_home / "settings.toml"


@pytest.mark.parametrize(("text", "line", "words"), [
    ('device = "cpu"\ntheme = \n', 2, "Invalid value"),
    ('device = "cpu"\ncolour = "red"\n', 2, "unknown setting 'colour'"),
    ('\n\ndevice = 5\n', 3, "'device' must be a string"),
    ('keys = "f5"\n', 1, "'keys' must be a table"),
    ('[keys]\nzoom = 12\n', 2, "keys.zoom must be a string of keys"),
])
def test_a_broken_file_is_reported_with_its_line(tmp_path: Path, text: str, line: int,
                                                 words: str) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert words in str(caught.value)


def test_the_command_line_names_a_broken_file_and_stops(tutor_home: Path, capsys) -> None:
    (tutor_home / "settings.toml").write_text('theme = "a\n', encoding="utf-8")
    assert main(["list"]) == 2
    assert f"settings file {tutor_home / 'settings.toml'}:1: " in capsys.readouterr().err


def test_environment_keys_win_over_the_file() -> None:
    settings = Settings(keys={"zoom": "f11", "hint": "f3"})
    assert keymap(settings, {"TUTOR_KEYS": "zoom=ctrl+l"}) == {"zoom": "ctrl+l", "hint": "f3"}
    assert keymap(settings, {}) == {"zoom": "f11", "hint": "f3"}


def test_saving_a_setting_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("# mine\n" + GOOD, encoding="utf-8")
    save_setting(path, "theme", "nord")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# mine\n") and 'theme = "nord"' in text
    assert load_settings(path) == Settings(
        keys={"zoom": "f11,ctrl+l", "next-step": "ctrl+f"}, device="cpu", theme="nord",
        language="sw", path=path)
    fresh = tmp_path / "new" / "settings.toml"
    save_setting(fresh, "theme", "nord")
    assert load_settings(fresh).theme == "nord"


def test_the_device_option_wins_over_the_file(tutor_home: Path, monkeypatch) -> None:
    (tutor_home / "settings.toml").write_text('device = "mps"\n', encoding="utf-8")
    seen: list[str] = []
    monkeypatch.setattr("tutor.commands.list.run", lambda args: seen.append(args.device) or 0)
    main(["list"])
    main(["list", "--device", "cpu"])
    assert seen == ["mps", "cpu"]


def test_help_shows_how_to_open_a_lesson(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "tutor [options] [LESSON]" in capsys.readouterr().out
