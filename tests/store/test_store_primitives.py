"""Issue 11 §1 / store_api.md: ids, scan, exists, open_or_create, external ids, shared writers, build_index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from twelvelabs_rag.store import (
    ColumnLengthError,
    CorruptStoreError,
    DimensionMismatchError,
    FilterError,
    Hit,
    InvalidInputError,
    ModelMismatchError,
    Segment,
    SegmentStore,
    StoreClosedError,
)

DIM = 8
MODEL = "primitives-model"


def _vecs(n: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def _cols(n: int, first: int = 0, **over):
    cols = {"video_ids": [f"v{i % 3}" for i in range(first, first + n)],
            "starts": [float(i) for i in range(first, first + n)],
            "ends": [float(i) + 1 for i in range(first, first + n)], "scopes": "clip", "options": "visual"}
    cols.update(over)
    return cols


@pytest.fixture
def store() -> SegmentStore:
    s = SegmentStore.create(None, dim=DIM, model_name=MODEL)
    s.add(_vecs(9), texts=[f"t{i}" for i in range(9)], metadatas=[{"i": i} for i in range(9)], **_cols(9))
    return s


def test_ids_lists_live_rows_in_ascending_order(store: SegmentStore) -> None:
    assert store.ids().tolist() == list(range(9)) and store.ids().dtype == np.int64
    assert store.ids({"video_id": "v1"}).tolist() == [1, 4, 7]
    store.delete([4])
    assert store.ids({"video_id": "v1"}).tolist() == [1, 7]
    assert store.ids({"i": {"$gte": 6}}).tolist() == [6, 7, 8]
    assert store.ids({}).tolist() == [i for i in range(9) if i != 4]
    store.add(_vecs(1, seed=5), **_cols(1, first=1))  # replaces id 1 (same key): new id 9
    assert store.ids({"video_id": "v1"}).tolist() == [7, 9]
    with pytest.raises(FilterError):
        store.ids({"nope": 1})


def test_scan_yields_segments_in_id_order_in_batches(store: SegmentStore) -> None:
    store.delete([2])
    segs = list(store.scan(batch_size=2))
    assert [s.id for s in segs] == [0, 1, 3, 4, 5, 6, 7, 8]
    assert all(isinstance(s, Segment) and s.vector is None for s in segs)
    assert [(s.text, s.metadata, s.video_id, s.start) for s in segs[:2]] == [("t0", {"i": 0}, "v0", 0.0),
                                                                            ("t1", {"i": 1}, "v1", 1.0)]
    with_vec = list(store.scan({"video_id": "v0"}, with_vectors=True, batch_size=1))
    assert [s.id for s in with_vec] == [0, 3, 6]
    for s in with_vec:
        assert s.vector is not None and s.vector.dtype == np.float32
        assert np.isclose(np.linalg.norm(s.vector), 1.0)
        assert np.array_equal(s.vector, store.get([s.id])[0].vector)
    it = store.scan()
    store.add(_vecs(1, seed=8), **_cols(1, first=50))  # rows added after the scan began are not seen
    assert len(list(it)) == 8
    for bad in (0, -1, 1.5, True):
        with pytest.raises(InvalidInputError, match="batch_size"):
            store.scan(batch_size=bad)


def test_exists_and_open_or_create(tmp_path: Path) -> None:
    path = tmp_path / "s"
    assert not SegmentStore.exists(path) and not SegmentStore.exists("")
    s = SegmentStore.open_or_create(path, dim=DIM, model_name=MODEL)
    assert SegmentStore.exists(path)
    s.add(_vecs(3), **_cols(3))
    s.save()
    s.close()
    again = SegmentStore.open_or_create(path, dim=DIM, model_name=MODEL, mmap=True)
    assert len(again) == 3
    again.close()
    with pytest.raises(DimensionMismatchError):
        SegmentStore.open_or_create(path, dim=DIM * 2, model_name=MODEL)
    with pytest.raises(ModelMismatchError):
        SegmentStore.open_or_create(path, dim=DIM, model_name="another-model")
    SegmentStore.open(path).close()  # a refused open_or_create released its lock
    afile = tmp_path / "f"
    afile.write_text("x")
    assert not SegmentStore.exists(afile)


def test_external_ids_are_an_upsert_key_filterable_and_persisted(tmp_path: Path) -> None:
    path = tmp_path / "s"
    s = SegmentStore.create(path, dim=DIM, model_name=MODEL)
    ids = s.add(_vecs(4), external_ids=["doc-a", None, "doc-c", "doc-d"], **_cols(4))
    assert [g.external_id for g in s.get(ids)] == ["doc-a", None, "doc-c", "doc-d"]
    # another row (different key) with an existing external id replaces the row holding it
    (new,) = s.add(_vecs(1, seed=3), external_ids=["doc-c"], **_cols(1, first=40))
    assert s.ids().tolist() == [0, 1, 3, new]
    assert s.ids({"external_id": "doc-c"}).tolist() == [new]
    assert s.ids({"external_id": {"$in": ["doc-a", "doc-d", "zzz"]}}).tolist() == [0, 3]
    assert s.ids({"external_id": {"$nin": ["doc-a"]}}).tolist() == [1, 3, new]
    assert s.ids({"external_id": {"$ne": None}}).tolist() == [0, 3, new]
    hit = s.search(_vecs(1, seed=3)[0], k=1)[0]
    assert isinstance(hit, Hit) and hit.external_id == "doc-c"
    # a key match replaces the row and its external id goes with it when the new row has none
    s.add(_vecs(1, seed=4), **_cols(1, first=0))
    assert s.ids({"external_id": "doc-a"}).tolist() == []
    # deleting frees the external id for reuse
    assert s.delete(where={"external_id": "doc-d"}) == 1
    (again,) = s.add(_vecs(1, seed=6), external_ids=["doc-d"], **_cols(1, first=60))
    assert s.ids({"external_id": "doc-d"}).tolist() == [again]
    s.save()
    s.close()
    with SegmentStore.open(path) as r:
        assert sorted((g.external_id or "") for g in r.scan()) == ["", "", "doc-c", "doc-d"]
        (replaced,) = r.add(_vecs(1, seed=7), external_ids=["doc-d"], **_cols(1, first=70))  # index rebuilt on open
        assert r.ids({"external_id": "doc-d"}).tolist() == [replaced]
        assert len(r) == 4


def test_bad_external_ids_are_refused() -> None:
    s = SegmentStore.create(None, dim=DIM, model_name=MODEL)
    with pytest.raises(InvalidInputError, match="twice"):
        s.add(_vecs(2), external_ids=["x", "x"], **_cols(2))
    with pytest.raises(ColumnLengthError):
        s.add(_vecs(2), external_ids=["x"], **_cols(2))
    for bad in (["", "y"], [1, "y"], "xy"):
        with pytest.raises(InvalidInputError, match="external_ids"):
            s.add(_vecs(2), external_ids=bad, **_cols(2))
    assert len(s) == 0


def test_a_repeated_external_id_in_a_crafted_docs_file_is_corrupt(tmp_path: Path) -> None:
    import json
    import zlib

    path = tmp_path / "s"
    s = SegmentStore.create(path, dim=DIM, model_name=MODEL)
    s.add(_vecs(2), external_ids=["a", "b"], **_cols(2))
    s.save()
    s.close()
    man = json.loads((path / "manifest.json").read_text())
    docs = path / man["files"]["docs"]["name"]
    data = docs.read_bytes().replace(b'"e":"b"', b'"e":"a"')
    docs.write_bytes(data)
    man["files"]["docs"].update(bytes=len(data), crc32=zlib.crc32(data))
    body = {k: v for k, v in man.items() if k != "checksum"}
    body["checksum"] = zlib.crc32(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    (path / "manifest.json").write_text(json.dumps(body))
    with SegmentStore.open(path) as again, pytest.raises(CorruptStoreError, match="external id"):
        again.get([0])  # the docs file is parsed (and refused) on first use


def test_second_handle_in_process_shares_the_writer(tmp_path: Path) -> None:
    """LlamaIndex persist() then from_persist_dir(), or a notebook cell run twice: no StoreLockedError."""
    path = tmp_path / "s"
    first = SegmentStore.create(path, dim=DIM, model_name=MODEL)
    first.add(_vecs(2), **_cols(2))
    second = SegmentStore.open(path)  # unsaved rows are visible: it is the same writer
    assert len(second) == 2
    second.add(_vecs(1, seed=2), **_cols(1, first=10))
    assert len(first) == 3
    with SegmentStore.open(path, read_only=True) as ro:
        assert len(ro) == 0  # read-only handles read the last snapshot, as before
    first.close()
    with pytest.raises(StoreClosedError):
        len(first)
    second.save()
    second.close()
    with SegmentStore.open(path) as third:
        assert len(third) == 3
    # a handle dropped without close() does not keep the directory locked
    SegmentStore.open(path)
    import gc

    gc.collect()
    SegmentStore.open(path).close()


def test_build_index_is_explicit_and_searches_are_exact_until_then(tmp_path: Path) -> None:
    n, dim = 21_000, 8
    rng = np.random.default_rng(2)
    x = rng.standard_normal((n, dim)).astype(np.float32)
    s = SegmentStore.create(None, dim=dim, model_name=MODEL, index="ivf")
    s.add(x, video_ids="v", starts=np.arange(n, dtype=float), ends=np.arange(n, dtype=float) + 1,
          scopes="clip", options="visual")
    info = s.stats()["ann"]
    assert not info["trained"] and info["rebuild_recommended"]
    q = rng.standard_normal((5, dim)).astype(np.float32)
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    exact = np.argsort(-(unit @ (q / np.linalg.norm(q, axis=1, keepdims=True)).T), axis=0)[:10].T
    assert [[h.id for h in hits] for hits in s.search_batch(q, k=10)] == exact.tolist()  # exact until built
    calls: list[tuple[int, int]] = []
    built = s.build_index(progress=lambda done, total: calls.append((done, total)))
    assert built["trained"] and built["indexed"] == n and calls[0] == (0, n) and calls[-1] == (n, n)
    flat = SegmentStore.create(None, dim=dim, model_name=MODEL)
    assert flat.build_index()["kind"] == "flat"
    small = SegmentStore.create(None, dim=dim, model_name=MODEL, index="ivf")
    small.add(x[:100], video_ids="v", starts=np.arange(100.0), ends=np.arange(100.0) + 1, scopes="clip",
              options="visual")
    assert not small.build_index()["trained"]  # below 20k rows exact search is used
