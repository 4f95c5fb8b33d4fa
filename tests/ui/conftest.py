"""Fixtures for the app's Pilot tests: a small course and an app over the shared runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from thread_runner import RunnerOnItsOwnLoop, runner_on_its_own_loop
from ui_helpers import write_lessons

from tutor.course import Course, load_course
from tutor.progress import ProgressStore
from tutor.runner.client import Runner
from tutor.ui.app import TutorApp

HERE = Path(__file__).parent

@pytest.fixture
def course(tmp_path: Path) -> Course:
    return load_course(write_lessons(tmp_path / "lessons"))


@pytest.fixture
def progress(tmp_path: Path) -> ProgressStore:
    store = ProgressStore(tmp_path / "home" / "progress.sqlite")
    yield store
    store.close()


@pytest.fixture
def make_app(
    course: Course, runner: Runner, progress: ProgressStore
) -> Callable[..., TutorApp]:
    """A fresh app over the test course, the shared runner and a temporary progress store."""

    def make(lesson: str | None = None, store: ProgressStore | None = None) -> TutorApp:
        return TutorApp(course, runner=runner, progress=store or progress, lesson=lesson)

    return make


@pytest.fixture(scope="session")
def snapshot_runner() -> Iterator[RunnerOnItsOwnLoop]:
    """One CPU runner for every snapshot test (each app runs on a loop of its own)."""
    yield from runner_on_its_own_loop()
