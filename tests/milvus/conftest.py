"""Fixtures for the Milvus backend tests: one milvus-lite engine (a file) per session, a fresh collection per test."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from twelvelabs_rag.store import MilvusSegmentStore

_names = itertools.count()


@pytest.fixture(scope="session")
def lite_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A milvus-lite database file shared by the session (starting the engine takes seconds)."""
    return str(tmp_path_factory.mktemp("milvus") / "segments.db")


@pytest.fixture
def make_milvus(lite_uri: str) -> Iterator[Callable[..., MilvusSegmentStore]]:
    """``make_milvus(**kw)``: a MilvusSegmentStore on a new collection of the session's engine (closed after)."""
    made: list[MilvusSegmentStore] = []

    def _make(**kw: Any) -> MilvusSegmentStore:
        kw.setdefault("collection", f"t{next(_names)}")
        kw.setdefault("model_name", "milvus-test-model")
        kw.setdefault("dim", 8)
        store = MilvusSegmentStore(kw.pop("uri", lite_uri), **kw)
        made.append(store)
        return store

    yield _make
    for s in made:
        s.close()


@pytest.fixture
def lite_dir(lite_uri: str) -> Path:
    return Path(lite_uri).parent
