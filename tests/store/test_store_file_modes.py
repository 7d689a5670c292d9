"""Store files are created like any other file: mode ``0o666 & ~umask`` (not 0600, not a fixed 0644)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from twelvelabs_rag.store import SegmentStore

MODEL = "marengo3.0-test"


@pytest.fixture
def umask_002():
    old = os.umask(0o002)
    try:
        yield 0o002
    finally:
        os.umask(old)


def _files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())


def test_saved_store_files_follow_the_umask(tmp_path: Path, umask_002: int) -> None:
    path = tmp_path / "s"
    store = SegmentStore.create(path, dim=4, model_name=MODEL)
    store.add(np.eye(4, dtype=np.float32), video_ids="v", starts=[0, 6, 12, 18], ends=[6, 12, 18, 24],
              scopes="clip", options="visual", texts=["a", None, "c", None], metadatas=[{"k": 1}, None, None, None])
    store.save()
    # a query embedded once is cached on disk (query_cache/<key>.npy): a client double answers the embed
    client = SimpleNamespace(embed=SimpleNamespace(create=lambda **kw: SimpleNamespace(
        model_name=MODEL, text_embedding=SimpleNamespace(vector=[1.0, 0.0, 0.0, 0.0]))))
    assert store.search_text("a fox", client=client, k=1)[0].start == 0
    store.close()
    files = _files(path)
    assert {p.name.split(".")[0] for p in files} >= {"manifest", "vectors", "columns", "strings", "docs", "store"}
    assert any(p.parent.name == "query_cache" for p in files)
    want = 0o666 & ~umask_002
    modes = {p.relative_to(path).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in files}
    assert modes == {name: oct(want) for name in modes}
