"""Shared fixtures for the black-box SegmentStore tests (stateful, crash, bad input, concurrency)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def closing() -> Iterator[Any]:
    """``closing(store) -> store``: the store is closed (its lock released) when the test ends."""
    opened: list[Any] = []

    def _track(store: Any) -> Any:
        opened.append(store)
        return store

    yield _track
    for store in reversed(opened):
        store.close()
