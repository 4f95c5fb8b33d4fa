"""Shared fixtures for runner tests: one runner for the whole session (its start costs ~1 s)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tutor.runner.client import Runner

HERE = Path(__file__).parent
_names = itertools.count()
#: Processes below one worker of the shared runner (lower than the default, for a quick test).
SHARED_PROCESS_LIMIT = 40


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run this folder's async tests on the session loop, where the shared runner lives."""
    for item in items:
        if HERE in Path(item.path).parents and pytest_asyncio.is_async_test(item):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def runner() -> AsyncIterator[Runner]:
    """A CPU runner shared by tests that each use their own namespace."""
    shared = Runner("cpu", timeout=10.0, process_limit=SHARED_PROCESS_LIMIT)
    await shared.start()
    yield shared
    await shared.close()


@pytest.fixture
def ns() -> str:
    """A namespace name no other test uses."""
    return f"test-{next(_names)}"

