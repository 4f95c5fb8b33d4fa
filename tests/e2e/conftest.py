"""The e2e tests' shared fixture: `terminal` starts the console script in a pseudo-terminal
(pty_terminal.Terminal) and ends every one it started."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pty_terminal import Terminal


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    """`terminal(*args)`: `tutor *args --device cpu` in a new pseudo-terminal, with this test's
    TUTOR_HOME (the environment is the test's, as monkeypatch left it)."""
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        term = Terminal(tmp_path / "home", *args)
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()
