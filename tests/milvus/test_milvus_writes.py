"""The Milvus write path: several insert requests in flight, the fresh-collection shortcut, stored metadata JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from twelvelabs_rag.store._milvus_filters import encode_metadata, metadata_json
from twelvelabs_rag.store._milvus_writes import inserts_in_flight

#: More rows than one insert request holds (2,000), so ``add`` sends several requests, two at a time.
N = 4_500


def _columns(n: int, video: str = "v", offset: float = 0.0) -> dict:
    return {"video_ids": [f"{video}{int(offset + i) % 3}" for i in range(n)], "starts": [offset + i for i in range(n)],
            "ends": [offset + i + 1 for i in range(n)], "scopes": "clip", "options": "visual"}


def _vectors(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, 8)).astype(np.float32)


def test_a_multi_request_add_stores_each_row_under_its_own_id(make_milvus) -> None:
    s = make_milvus()
    x = _vectors(N, 0)
    metas = [{"i": i, "flag": i % 2 == 0} for i in range(N)]
    ids = s.add(x, metadatas=metas, texts=[f"t{i}" for i in range(N)], **_columns(N))
    assert ids == list(range(N)) and len(s) == N
    probe = [0, 1, 1999, 2000, 2001, 3999, 4000, N - 1]
    for seg in s.get(probe):
        i = seg.id
        assert seg.metadata == metas[i] and seg.text == f"t{i}" and seg.start == float(i)
        assert np.allclose(seg.vector, x[i] / np.linalg.norm(x[i]), atol=1e-6)
    assert s.stats()["next_id"] == N and sorted(s.stats()["metadata_keys"]) == ["flag", "i"]


def test_after_the_first_add_upserts_find_the_stored_rows(make_milvus) -> None:
    """The first add on a new collection skips the existence lookups (its id counter is 0, so no row can
    exist); every later add must still find and retire the rows it replaces, across request boundaries."""
    s = make_milvus()
    s.add(_vectors(N, 1), **_columns(N))
    again = s.add(_vectors(N, 2), **_columns(N))  # the same N keys: every row replaced
    assert again == list(range(N, 2 * N))
    assert len(s) == N and s.ids().tolist() == list(range(N, 2 * N))
    s.add(_vectors(10, 3), **_columns(10, offset=N - 5.0))  # 5 replaced, 5 new
    assert len(s) == N + 5 and s.stats()["next_id"] == 2 * N + 10


def test_a_collection_emptied_by_deletes_still_upserts(make_milvus) -> None:
    """Deleting every row does not reset the counter, so the lookups keep running (and find nothing)."""
    s = make_milvus()
    first = s.add(_vectors(4, 4), external_ids=["a", "b", "c", "d"], **_columns(4))
    assert s.delete(first) == 4 and len(s) == 0
    s.add(_vectors(2, 5), external_ids=["a", "b"], **_columns(2))
    s.add(_vectors(2, 6), external_ids=["a", "z"], **_columns(2, offset=100.0))
    assert len(s) == 3
    assert s.ids({"external_id": "a"}).tolist() == [6] and s.ids({"external_id": "b"}).tolist() == [5]


@pytest.mark.parametrize("meta", [
    {"n": 1, "x": 2.5, "s": "plain"},
    {"b": True, "n": 1},
    {"none": None},
    {"l": [1, "a"], "d": {"k": [True]}},
    {"s": "~tl~looks-tagged"},
    {"unicode": "héllo ✓"},
    {},
    None,
])
def test_stored_metadata_json_is_the_encoded_metadata(meta) -> None:
    text = json.dumps(meta, separators=(",", ":"), ensure_ascii=False) if meta else None
    assert json.loads(metadata_json(meta, text)) == encode_metadata(meta)


def test_freshness_is_read_at_write_time_not_when_a_handle_opened(make_milvus) -> None:
    """A handle opened while the collection was new must still find rows another handle wrote since."""
    a = make_milvus()
    b = make_milvus(collection=a.collection, model_name=None, dim=None)  # opened while the counter is 0
    a.add(_vectors(5, 7), external_ids=[f"e{i}" for i in range(5)], **_columns(5))
    ids = b.add(_vectors(5, 8), external_ids=[f"e{i}" for i in range(5)], **_columns(5))
    assert ids == [5, 6, 7, 8, 9] and len(a) == 5 and a.ids().tolist() == ids


@pytest.mark.parametrize(("uri", "expected"), [
    ("segments.db", 1), ("/data/tl/segments.db", 1),  # milvus-lite: one insert at a time
    ("http://localhost:19530", 2), ("https://in01-x.zillizcloud.com", 2),  # servers: two in flight
])
def test_milvus_lite_gets_one_insert_request_at_a_time(uri: str, expected: int) -> None:
    """milvus-lite applies an insert without a lock: two concurrent inserts into one collection raced on its
    sequence numbers and its lazily opened WAL file (a leaked, truncated WAL file showed up as a
    ResourceWarning in this suite), so the pipelined write path keeps one request in flight on a lite file."""
    assert inserts_in_flight(uri) == expected


def test_a_multi_request_add_on_a_lite_file_is_all_there_after_reopening(tmp_path) -> None:
    """Every request of a several-request add reaches the file: a new handle on it sees each row once."""
    from twelvelabs_rag.store import MilvusSegmentStore

    uri = str(tmp_path / "reopen.db")
    first = MilvusSegmentStore(uri, collection="c", model_name="milvus-test-model", dim=8)
    x = _vectors(N, 7)
    ids = first.add(x, **_columns(N))
    first.close()
    again = MilvusSegmentStore(uri, collection="c", model_name="milvus-test-model", dim=8)
    try:
        assert len(again) == N and again.ids().tolist() == ids
        assert [s.start for s in again.get([0, 2000, N - 1])] == [0.0, 2000.0, float(N - 1)]
    finally:
        again.close()
