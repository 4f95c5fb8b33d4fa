"""Fixtures every test folder shares: a private TUTOR_HOME for each test, and one started runner
for the whole session (its start costs about a second) on the session's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from tutor.i18n import set_language
from tutor.runner.client import Runner

HERE = Path(__file__).parent

#: Folders whose async tests share the session's event loop (and so the session's runner).
SESSION_LOOP_FOLDERS = (HERE / "runner", HERE / "ui")

#: Processes below one worker of the shared runner (lower than the default, for a quick test).
SHARED_PROCESS_LIMIT = 40


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the async tests of SESSION_LOOP_FOLDERS on the session loop, where the runner lives."""
    for item in items:
        path = Path(item.path)
        if any(folder in path.parents for folder in SESSION_LOOP_FOLDERS) and \
                pytest_asyncio.is_async_test(item):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


@pytest.fixture(autouse=True)
def tutor_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own TUTOR_HOME, so none reads or writes a real user's progress,
    cache or settings."""
    home = tmp_path_factory.mktemp("tutor-home")
    monkeypatch.setenv("TUTOR_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def english_interface(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts with English messages and leaves them so (a test may switch language
    in-process); TUTOR_LANG from the caller's shell is not inherited."""
    monkeypatch.delenv("TUTOR_LANG", raising=False)
    set_language("en")
    yield
    set_language("en")


@pytest_asyncio.fixture(scope="session", loop_scope="session")

async def runner() -> AsyncIterator[Runner]:
    """A CPU runner shared by the tests that each use their own namespaces (the app must not
    close it)."""
    shared = Runner("cpu", timeout=10.0, process_limit=SHARED_PROCESS_LIMIT)
    await shared.start()
    yield shared
    await shared.close()
