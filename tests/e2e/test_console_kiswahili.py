"""The installed console script in a pseudo-terminal with a Kiswahili locale: the lesson list,
help, a lesson and a wrong answer's verdict all in Kiswahili; an unknown language is said once."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pexpect
import pytest
from pty_terminal import TUTOR, Terminal

# The UI tests' course (tests/ui is where pytest finds ui_helpers for them).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))
from ui_helpers import write_lessons

from tests.ui.test_kiswahili import MINI_SW

pytestmark = pytest.mark.skipif(
    not TUTOR.exists() or not sys.platform.startswith("linux"),
    reason="needs the installed console script and /proc",
)

F1 = "\x1bOP"


@pytest.fixture
def lessons(tmp_path: Path) -> Path:
    folder = write_lessons(tmp_path / "lessons")
    (folder / "sw").mkdir()
    (folder / "sw" / "01-mini.md").write_text(MINI_SW, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def kiswahili_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Kiswahili locale and nothing else that chooses the language (the `terminal` fixture,
    tests/e2e/conftest.py, starts the app in this environment)."""
    for name in ("LC_ALL", "LC_MESSAGES", "TUTOR_LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "sw_TZ.UTF-8")


def test_the_app_in_kiswahili_from_the_locale(terminal: Callable[..., Terminal],
                                               lessons: Path) -> None:
    term = terminal("--lessons", str(lessons))
    listing = term.wait_for("Masomo: ↑/↓ kuchagua, Enter kufungua")
    term.wait_for("tayari")  # the runner has started
    assert "1. Somo dogo la majaribio ya kiolesura" in listing
    assert "f1 Msaada" in term.text and "^q Toka" in term.text
    term.press(F1)
    term.wait_for("Vitufe (Escape hufunga msaada huu)")
    term.press("escape")
    term.wait_for(lambda text: "Vitufe (Escape" not in text)
    term.press("enter")
    term.wait_for("f5 Endesha")
    term.press("f8")
    term.wait_for("Tensor na gradienti")
    term.press("f5")
    term.wait_for("✓ imekamilika")
    term.press("f2", "28", "enter")
    term.wait_for("Yako ni mara mbili ya thamani iliyohesabiwa")
    term.press("ctrl+q")
    term.child.expect(pexpect.EOF, timeout=5)


def test_an_unknown_language_is_said_in_the_app(terminal: Callable[..., Terminal],
                                                 lessons: Path) -> None:
    term = terminal("--lang", "xx", "--lessons", str(lessons))
    term.wait_for("Lessons: ↑/↓ to choose")
    text = term.wait_for("not available")
    assert "language 'xx'" in text
    term.press("ctrl+q")
    term.child.expect(pexpect.EOF, timeout=5)
