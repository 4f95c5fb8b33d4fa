"""Fixtures for runner tests (the shared runner itself is in tests/conftest.py)."""

from __future__ import annotations

import itertools

import pytest

_names = itertools.count()


@pytest.fixture
def ns() -> str:
    """A namespace name no other test uses."""
    return f"test-{next(_names)}"
