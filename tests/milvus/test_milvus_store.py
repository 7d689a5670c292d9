"""MilvusSegmentStore on milvus-lite: results, upserts, id stability, guards and typed errors."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from twelvelabs_rag.store import (
    DimensionMismatchError,
    FilterError,
    InvalidInputError,
    InvalidVectorError,
    MilvusSegmentStore,
    ModelMismatchError,
    SegmentIndex,
    SegmentNotFoundError,
    StoreClosedError,
    StoreError,
    UnsupportedFormatError,
)


def _add4(store, **kw):
    return store.add(np.eye(4, 8, dtype=np.float32) + 0.01, video_ids="v1", starts=[0, 6, 12, 18],
                     ends=[6, 12, 18, 24], scopes="clip", options="visual", **kw)


def test_add_search_get_roundtrip(make_milvus) -> None:
    s = make_milvus()
    ids = _add4(s, texts=["a", None, "", "d"], metadatas=[{"lang": "en", "n": 1}, {"flag": True}, None, {"x": [1, 2]}])
    assert ids == [0, 1, 2, 3] and len(s) == 4
    hits = s.search(np.eye(1, 8, 1)[0], k=2, where={"start": {"$lt": 12}})
    assert [h.id for h in hits] == [1, 0] and hits[0].score > hits[1].score
    segs = s.get([3, 0, 99])
    assert [g.id for g in segs] == [3, 0]
    assert segs[0].metadata == {"x": [1, 2]} and segs[0].text == "d"
    assert s.get([1])[0].metadata == {"flag": True} and s.get([2])[0].text == ""
    assert np.isclose(np.linalg.norm(segs[1].vector), 1.0, atol=1e-6)
    assert s.ids().tolist() == [0, 1, 2, 3]
    assert [g.id for g in s.scan({"start": {"$gte": 6}}, batch_size=2)] == [1, 2, 3]
    assert all(g.vector is None for g in s.scan())
    assert isinstance(s, SegmentIndex)


def test_upsert_replaces_and_ids_are_never_reused(make_milvus) -> None:
    s = make_milvus()
    _add4(s)
    new = s.add(np.ones((2, 8), np.float32), video_ids="v1", starts=[0, 0], ends=[6, 6], scopes="clip", options="visual")
    assert new == [4, 4]  # in one call the last duplicate wins; every duplicate gets its id
    assert s.ids().tolist() == [1, 2, 3, 4]
    assert s.delete([4, 999]) == 1
    again = _add4(s)
    assert again == [5, 6, 7, 8] and s.ids().tolist() == [5, 6, 7, 8]
    s.close()
    reopened = make_milvus(collection=s.collection, dim=None, model_name=None)
    assert reopened.add(np.ones((1, 8), np.float32), video_ids="v9", starts=0, ends=1, scopes="clip", options="a") == [9]


def test_external_ids_upsert_and_filter(make_milvus) -> None:
    s = make_milvus()
    a = s.add(np.eye(2, 8, dtype=np.float32), video_ids="v", starts=[0, 1], ends=[1, 2], scopes="clip",
              options="o", external_ids=["doc-1", None])
    b = s.add(np.eye(1, 8, 3, dtype=np.float32), video_ids="w", starts=[5], ends=[6], scopes="clip", options="o",
              external_ids=["doc-1"])
    assert s.ids().tolist() == [a[1], b[0]]
    assert [g.id for g in s.scan({"external_id": "doc-1"})] == b
    assert s.ids({"external_id": {"$ne": "doc-1"}}).tolist() == [a[1]]
    with pytest.raises(InvalidInputError):
        s.add(np.eye(1, 8, dtype=np.float32), video_ids="v", starts=[0], ends=[1], scopes="clip", options="o",
              external_ids="doc-1")


def test_delete_by_filter_and_both(make_milvus) -> None:
    s = make_milvus()
    _add4(s, metadatas=[{"k": 1}, {"k": 2}, {"k": 1}, None])
    assert s.delete([0, 1], where={"k": 1}) == 1
    assert s.ids().tolist() == [1, 2, 3]
    assert s.delete(where={"k": {"$ne": 1}}) == 2
    assert s.delete(where={}) == 1 and len(s) == 0
    with pytest.raises(InvalidInputError):
        s.delete()


def test_model_and_dimension_guard_stored_with_the_collection(make_milvus) -> None:
    s = make_milvus(model_name="marengo3.0", dim=None)
    assert s.dim == 512
    name = s.collection
    with pytest.raises(ModelMismatchError, match="marengo3.0"):
        make_milvus(collection=name, model_name="marengo2.7", dim=None)
    with pytest.raises(DimensionMismatchError, match="512"):
        make_milvus(collection=name, model_name=None, dim=1024)
    with pytest.raises(ModelMismatchError):
        s.add(np.ones((1, 512)), video_ids="v", starts=0, ends=1, scopes="clip", options="o", model_name="marengo2.7")
    with pytest.raises(DimensionMismatchError):
        s.add(np.ones((1, 8)), video_ids="v", starts=0, ends=1, scopes="clip", options="o")
    with pytest.raises(DimensionMismatchError):
        make_milvus(model_name="marengo3.0", dim=1024)
    with pytest.raises(InvalidInputError, match="model_name"):
        make_milvus(model_name=None)


def test_typed_errors(make_milvus, lite_uri) -> None:
    s = make_milvus()
    _add4(s)
    with pytest.raises(FilterError, match="unknown filter key 'lang'"):
        s.search(np.ones(8), where={"lang": "en"})
    assert s.search(np.ones(8), where={"metadata.lang": "en"}) == []
    with pytest.raises(FilterError):
        s.search(np.ones(8), where={"scope": {"$gt": "a"}})
    with pytest.raises(FilterError):
        s.ids({"start": {"$regex": "x"}})
    with pytest.raises(InvalidVectorError):
        s.add(np.zeros((1, 8)), video_ids="v", starts=0, ends=1, scopes="clip", options="o")
    with pytest.raises(InvalidInputError):
        s.add(np.ones((1, 8)), video_ids="v", starts=0, ends=1, scopes="shot", options="o")
    with pytest.raises(InvalidInputError):
        s.search(np.ones(8), k=0)
    with pytest.raises(SegmentNotFoundError):
        s.search_like(12345)
    with pytest.raises(InvalidInputError, match="index"):
        make_milvus(index="ivf")
    with pytest.raises(InvalidInputError, match="cluster"):
        make_milvus(index="DISKANN")
    assert len(s) == 4  # nothing above wrote a row
    s.close()
    with pytest.raises(StoreClosedError):
        s.search(np.ones(8))


def test_foreign_collection_is_refused(make_milvus, lite_uri) -> None:
    from pymilvus import MilvusClient

    c = MilvusClient(lite_uri)
    c.create_collection("foreign", dimension=8)
    with pytest.raises(UnsupportedFormatError, match="not created by twelvelabs-rag"):
        make_milvus(collection="foreign")


def test_token_never_shown(make_milvus, lite_dir) -> None:
    with pytest.raises(StoreError) as err:
        MilvusSegmentStore("http://user:s3cr3t-token@127.0.0.1:9/?x=1", token="s3cr3t-token", timeout=0.5,
                           model_name="m", dim=8)
    assert "s3cr3t" not in str(err.value) and "s3cr3t" not in repr(err.value)
    with pytest.raises(InvalidInputError, match="does not exist"):
        MilvusSegmentStore(str(lite_dir / "missing" / "x.db"), model_name="m", dim=8)
    s = make_milvus()
    assert "token" not in repr(s)


def test_search_batch_and_like(make_milvus) -> None:
    s = make_milvus()
    ids = _add4(s)
    res = s.search_batch(np.eye(2, 8, dtype=np.float32), k=1, where={"video_id": "v1"})
    assert [[h.id for h in r] for r in res] == [[ids[0]], [ids[1]]]
    like = s.search_like(ids[0], k=2)
    assert ids[0] not in [h.id for h in like] and len(like) == 2
    assert s.search_batch(np.zeros((0, 8)), k=3) == []


class _FakeEmbed:
    def __init__(self, vec: np.ndarray) -> None:
        self.vec, self.calls = vec, []

    def create(self, **kw):
        self.calls.append(kw)
        emb = SimpleNamespace(vector=self.vec)
        return SimpleNamespace(model_name="marengo3.0", text_embedding=emb, image_embedding=emb, audio_embedding=emb)


def test_query_cache_shared_with_the_local_store(make_milvus, lite_dir) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 512)).astype(np.float32)
    s = make_milvus(model_name="marengo3.0", dim=512, query_cache=lite_dir / "qc")
    s.add(x, video_ids="v", starts=range(5), ends=range(1, 6), scopes="clip", options="visual")
    client = SimpleNamespace(embed=_FakeEmbed(x[2]))
    assert s.search_text("a fox", client=client, k=1)[0].id == 2
    assert s.search_text("a fox", k=1)[0].id == 2  # cached: no client
    assert len(client.embed.calls) == 1 and list((lite_dir / "qc").glob("*.npy"))
    with pytest.raises(StoreError, match="query cache"):
        s.search_text("never asked")


async def test_async_search_text(make_milvus, lite_dir) -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 512)).astype(np.float32)
    s = make_milvus(model_name="marengo3.0", dim=512)
    s.add(x, video_ids="v", starts=range(3), ends=range(1, 4), scopes="clip", options="visual")

    class _Async:
        def __init__(self) -> None:
            self.sync = _FakeEmbed(x[1])

        async def create(self, **kw):
            return self.sync.create(**kw)

    hits = await s.asearch_text("car", client=SimpleNamespace(embed=_Async()), k=1)
    assert hits[0].id == 1


def test_both_backends_carry_the_protocol() -> None:
    from twelvelabs_rag.store import SegmentStore

    members = [m for m in dir(SegmentIndex) if not m.startswith("_") or m == "__len__"]
    members = [m for m in members if m not in ("register",)]
    assert {"add", "search", "ids", "scan", "delete", "get", "stats", "close", "dim", "model_name"} <= set(members)
    for name in members:
        assert hasattr(MilvusSegmentStore, name), name
        # ids/scan arrive on the local store with the store engineer's branch (store_api.md)
        assert hasattr(SegmentStore, name) or name in ("ids", "scan"), name
