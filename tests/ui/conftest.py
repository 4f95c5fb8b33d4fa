"""Fixtures for the app's Pilot tests: a small lesson, one started runner for the session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from ui_helpers import write_lessons

from tutor.course import Course, load_course
from tutor.progress import ProgressStore
from tutor.runner.client import Runner
from tutor.ui.app import TutorApp

HERE = Path(__file__).parent

def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run this folder's async tests on the session loop, where the shared runner lives."""
    for item in items:
        if HERE in Path(item.path).parents and pytest_asyncio.is_async_test(item):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


@pytest.fixture
def course(tmp_path: Path) -> Course:
    return load_course(write_lessons(tmp_path / "lessons"))


@pytest.fixture
def progress(tmp_path: Path) -> ProgressStore:
    store = ProgressStore(tmp_path / "home" / "progress.sqlite")
    yield store
    store.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def runner() -> AsyncIterator[Runner]:
    """One CPU runner for every app test (the app must not close it)."""
    shared = Runner("cpu", timeout=5.0)
    await shared.start()
    yield shared
    await shared.close()


@pytest.fixture
def make_app(
    course: Course, runner: Runner, progress: ProgressStore
) -> Callable[..., TutorApp]:
    """A fresh app over the test course, the shared runner and a temporary progress store."""

    def make(lesson: str | None = None, store: ProgressStore | None = None) -> TutorApp:
        return TutorApp(course, runner=runner, progress=store or progress, lesson=lesson)

    return make
