"""The learner's settings file: keys, device, theme and language, in TOML.

`$TUTOR_HOME/settings.toml` when TUTOR_HOME is set, else `settings.toml` in the platform's user
config folder (`~/.config/tutor/` on Linux). Command-line options and environment variables
(`TUTOR_KEYS`) win over the file. Plain Python: no Textual, no torch.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.i18n import N_, _

FILE_NAME = "settings.toml"

#: The keys a settings file may hold, and the type of each value.
KEYS: dict[str, type] = {"keys": dict, "device": str, "theme": str, "language": str}

#: Environment variable remapping keys by binding id, e.g. `run-cell=f5,ctrl+r;interrupt=f6`.
KEYMAP_VARIABLE = "TUTOR_KEYS"


class SettingsError(ValueError):
    """A settings file that cannot be used; the message starts with `file:line:`.

    The file is read before the language is chosen (it may choose it), so the message is kept
    as its English template and values, and worded in the current language when shown."""

    def __init__(self, path: Path, line: int, template: str, **values: object) -> None:
        super().__init__(path, line, template, values)
        self.path, self.line, self.template, self.values = path, line, template, values

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {_(self.template).format(**self.values)}"


@dataclass(frozen=True)
class Settings:
    """What the settings file says (None or empty where it says nothing)."""

    keys: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys, e.g. `{"zoom": "f11,ctrl+l"}`."""
    device: str | None = None
    theme: str | None = None
    """A Textual theme name, e.g. `textual-light`."""
    language: str | None = None
    path: Path | None = None


def settings_path() -> Path:
    home = os.environ.get("TUTOR_HOME")
    if home:
        return Path(home).expanduser() / FILE_NAME
    import platformdirs

    return platformdirs.user_config_path("tutor") / FILE_NAME


def keymap_from_env(text: str) -> dict[str, str]:
    """Binding id -> keys from `id=keys;id=keys` (for terminals that take some F-keys)."""
    keymap = {}
    for item in text.split(";"):
        binding_id, _, keys = item.partition("=")
        if binding_id.strip() and keys.strip():
            keymap[binding_id.strip()] = keys.strip()
    return keymap


def _line_of(text: str, key: str) -> int:
    """The line where `key` is set (or its table starts), 1 when it cannot be found."""
    pattern = re.compile(rf"^\s*(\[\s*{re.escape(key)}\s*\]|\"?{re.escape(key)}\"?\s*=)")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return 1


def parse_settings(text: str, path: Path) -> Settings:
    """The settings in `text`; SettingsError naming `path` and the line of the first problem."""
    # Imported here: most learners have no settings file, and the first frame need not wait.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found.group(1)) if found else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        # TRANSLATORS: {problem} is Python's TOML reader's own words, in English.
        raise SettingsError(path, line, N_("not valid TOML: {problem}"), problem=message
                            ) from None
    for key, value in data.items():
        wanted = KEYS.get(key)
        if wanted is None:
            raise SettingsError(path, _line_of(text, key),
                                N_("unknown setting {key!r} (known: {known})"), key=key,
                                known=", ".join(KEYS))
        if not isinstance(value, wanted):
            template = (N_("{key!r} must be a table of binding id = \"keys\"") if wanted is dict
                        else N_("{key!r} must be a string"))
            raise SettingsError(path, _line_of(text, key), template, key=key)
    keys = data.get("keys", {})
    for binding_id, keys_text in keys.items():
        if not isinstance(keys_text, str) or not keys_text.strip():
            raise SettingsError(path, _line_of(text, binding_id),
                                N_("keys.{id} must be a string of keys, e.g. {example}"),
                                id=binding_id, example='"f11,ctrl+l"')
    return Settings(keys=dict(keys), device=data.get("device"), theme=data.get("theme"),
                    language=data.get("language"), path=path)


def load_settings(path: Path | None = None) -> Settings:
    """The settings file's settings, or defaults when there is none; SettingsError if broken."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return Settings(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(path, 1, N_("cannot be read ({error})"), error=exc) from None
    return parse_settings(text, path)


def keymap(settings: Settings, environ: dict[str, str] | os._Environ[str] = os.environ
           ) -> dict[str, str]:
    """The file's key bindings with TUTOR_KEYS's on top (the environment wins, id by id)."""
    return {**settings.keys, **keymap_from_env(environ.get(KEYMAP_VARIABLE, ""))}


def save_setting(path: Path, key: str, value: str) -> None:
    """Set one top-level string setting in the file, keeping the rest of it as written."""
    assert KEYS.get(key) is str
    line = f"{key} = {json.dumps(value)}"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    top_level = []  # lines before the first [table]
    for number, existing in enumerate(lines):
        if existing.lstrip().startswith("["):
            break
        top_level.append(number)
    found = [number for number in top_level if pattern.match(lines[number])]
    if found:
        lines[found[0]] = line
    else:
        lines.insert(0, line)
    from tutor.private_dirs import make_private_dir

    make_private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temporary, path)
