"""SegmentStore: CRUD, upsert, exactness against brute force, persistence, errors, query cache."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from twelvelabs_rag import TwelveLabsError
from twelvelabs_rag.store import (
    ColumnLengthError,
    CorruptStoreError,
    DimensionMismatchError,
    InvalidInputError,
    InvalidVectorError,
    ModelMismatchError,
    ReadOnlyStoreError,
    SegmentNotFoundError,
    SegmentStore,
    StoreClosedError,
    StoreError,
    StoreExistsError,
    StoreNotFoundError,
    UnsupportedFormatError,
)
from twelvelabs_rag.types import EmbeddingTask, Video

D = 16


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def filled(n: int = 300, videos: int = 6, seed: int = 0, path=None, **kw) -> tuple[SegmentStore, np.ndarray, list[int]]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, D)).astype(np.float32)
    store = SegmentStore.create(path, dim=D, model_name="test-model", **kw)
    per = n // videos
    vids = [f"v{i // per}" for i in range(n)]
    starts = np.array([6.0 * (i % per) for i in range(n)])
    ids = store.add(x, video_ids=vids, starts=starts, ends=starts + 6, scopes="clip",
                    options=["visual" if i % 2 else "audio" for i in range(n)],
                    texts=[f"t{i}" for i in range(n)], metadatas=[{"i": i, "odd": bool(i % 2)} for i in range(n)])
    return store, x, ids


def brute(x: np.ndarray, q: np.ndarray, k: int) -> list[int]:
    s = unit(x) @ unit(q)
    return np.lexsort((np.arange(len(s)), -s))[:k].tolist()


def test_search_matches_brute_force_and_scores_are_cosines() -> None:
    store, x, ids = filled()
    rng = np.random.default_rng(1)
    for _ in range(20):
        q = rng.standard_normal(D)
        hits = store.search(q, k=7)
        assert [h.id for h in hits] == [ids[i] for i in brute(x, q, 7)]
        want = unit(x[[h.id for h in hits]]) @ unit(q)
        assert np.allclose([h.score for h in hits], want, atol=1e-5)
    assert len(store.search(x[0], k=10_000)) == 300


def test_batch_equals_single_queries_small_and_large_batches() -> None:
    store, x, _ = filled()
    rng = np.random.default_rng(2)
    for nq in (3, 130):
        qs = rng.standard_normal((nq, D))
        batch = store.search_batch(qs, k=5)
        assert len(batch) == nq
        for q, hits in zip(qs, batch, strict=True):
            assert [h.id for h in hits] == [h.id for h in store.search(q, k=5)]
    store.delete([0, 1, 2])
    qs = x[:70]
    for q, hits in zip(qs, store.search_batch(qs, k=4), strict=True):
        assert [h.id for h in hits] == [h.id for h in store.search(q, k=4)]
        assert not {0, 1, 2} & {h.id for h in hits}
    assert store.search_batch(np.zeros((0, D)), k=3) == []


def test_hit_fields_and_get() -> None:
    store, x, ids = filled()
    h = store.search(x[7], k=1)[0]
    assert (h.id, h.video_id, h.start, h.end, h.scope, h.option, h.text) == (7, "v0", 42.0, 48.0, "clip", "visual", "t7")
    assert h.metadata == {"i": 7, "odd": True} and h.score == pytest.approx(1.0, abs=1e-5)
    segs = store.get([9, 12345, 3])
    assert [s.id for s in segs] == [9, 3]
    assert np.allclose(segs[0].vector, unit(x[9]), atol=1e-6)
    assert store.get(4)[0].text == "t4"


def test_ids_are_monotonic_and_never_reused() -> None:
    store, x, ids = filled(n=30)
    assert ids == list(range(30))
    assert store.delete([29, 28]) == 2
    assert store.delete([29]) == 0
    new = store.add(x[:2] + 1, video_ids="w", starts=[0, 1], ends=[1, 2], scopes="clip", options="visual")
    assert new == [30, 31]
    store.compact()
    assert store.add(x[:1], video_ids="w", starts=[5], ends=[6], scopes="clip", options="visual") == [32]
    assert len(store) == 31 and store.stats()["next_id"] == 33


def test_upsert_replaces_rows_without_orphans() -> None:
    store, x, ids = filled(n=60, videos=2)
    starts = np.array([6.0 * (i % 30) for i in range(60)])
    y = x[::-1].copy()
    new = store.add(y[:10], video_ids="v0", starts=starts[:10], ends=starts[:10] + 6, scopes="clip",
                    options=["visual" if i % 2 else "audio" for i in range(10)])
    assert len(store) == 60
    assert new == list(range(60, 70))
    assert store.get(ids[:10]) == []
    hits = {h.id: h for h in store.search(y[0], k=2)}  # y[0] == x[59]: both rows score 1.0
    assert set(hits) == {59, 60} and hits[60].text is None  # the replacing row brings its own text
    assert all(h.id not in ids[:10] for h in store.search(x[0], k=60))
    # duplicates inside one call: the last wins and every duplicate gets its id
    dup = store.add(np.stack([x[0], x[1], x[2]]), video_ids="z", starts=[0, 0, 6], ends=[6, 6, 12],
                    scopes="clip", options="visual")
    assert dup[0] == dup[1] and dup[2] > dup[1]
    assert store.search(x[1], k=1)[0].id == dup[1]
    assert len(store) == 62
    # upsert is an alias
    assert store.upsert(x[:1], video_ids="z", starts=[0], ends=[6], scopes="clip", options="visual") == [dup[2] + 1]
    assert len(store) == 62


def _task(task_id: str, model: str, x: np.ndarray) -> EmbeddingTask:
    segs = [{"float": x[i].tolist(), "start_offset_sec": 6 * (i // 2), "end_offset_sec": 6 * (i // 2) + 6,
             "embedding_option": "visual" if i % 2 == 0 else "audio", "embedding_scope": "clip"} for i in range(len(x))]
    return EmbeddingTask.model_validate({"_id": task_id, "model_name": model, "status": "ready",
                                         "video_embedding": {"segments": segs}})


def test_add_embedding_task_and_video_upsert() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 512)).astype(np.float32)
    store = SegmentStore.create(None, dim=512, model_name="marengo3.0")
    ids = store.add_embedding_task(_task("task1", "marengo3.0", x))
    assert len(ids) == 6 and len(store) == 6
    again = store.add_embedding_task(_task("task1", "marengo3.0", x))
    assert len(store) == 6 and min(again) > max(ids)
    h = store.search(x[3], k=1)[0]
    assert (h.video_id, h.start, h.option) == ("task1", 6.0, "audio")
    with pytest.raises(ModelMismatchError):
        store.add_embedding_task(_task("task2", "Marengo-retrieval-2.7", x))
    video = Video.model_validate({"_id": "vid9", "system_metadata": {"filename": "fox.mp4"},
                                  "embedding": {"model_name": "marengo3.0",
                                                "video_embedding": _task("t", "marengo3.0", x).video_embedding.model_dump(by_alias=True)}})
    store.add_video(video)
    assert store.search(x[0], k=1, where={"video_id": "vid9"})[0].metadata == {"filename": "fox.mp4"}
    assert len(store) == 12
    with pytest.raises(InvalidInputError):
        store.add_embedding_task(EmbeddingTask.model_validate({"_id": "empty", "model_name": "marengo3.0"}))


def test_model_aliases_and_dimensions() -> None:
    s = SegmentStore.create(None, dim=1024, model_name="Marengo-retrieval-2.7")
    assert s.model_name == "marengo2.7" and s.embed_model_name == "Marengo-retrieval-2.7"
    with pytest.raises(DimensionMismatchError):
        SegmentStore.create(None, dim=512, model_name="marengo2.7")
    with pytest.raises(InvalidInputError):
        SegmentStore.create(None, dim=0, model_name="x")
    with pytest.raises(InvalidInputError):
        SegmentStore.create(None, dim=4, model_name="x", index="lsh")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"vectors": np.ones((2, D + 1))}, DimensionMismatchError),
        ({"vectors": np.array([[np.nan] * D, [1.0] * D])}, InvalidVectorError),
        ({"vectors": np.array([[np.inf] + [0.0] * (D - 1), [1.0] * D])}, InvalidVectorError),
        ({"vectors": np.zeros((2, D))}, InvalidVectorError),
        ({"starts": [0.0]}, ColumnLengthError),
        ({"video_ids": ["a"]}, ColumnLengthError),
        ({"texts": ["a"]}, ColumnLengthError),
        ({"scopes": "frame"}, InvalidInputError),
        ({"ends": [-1.0, 2.0]}, InvalidInputError),
        ({"starts": [0.0, float("nan")]}, InvalidInputError),
        ({"metadatas": [{"a": object()}, None]}, InvalidInputError),
        ({"metadatas": [{"a": float("nan")}, None]}, InvalidInputError),
        ({"video_ids": ["a", 3]}, InvalidInputError),
        ({"options": ""}, InvalidInputError),
    ],
)
def test_bad_input_raises_typed_errors_and_changes_nothing(kwargs, error) -> None:
    store = SegmentStore.create(None, dim=D, model_name="m")
    args = {"vectors": np.ones((2, D)), "video_ids": "v", "starts": [0.0, 1.0], "ends": [1.0, 2.0],
            "scopes": "clip", "options": "visual"}
    args.update(kwargs)
    with pytest.raises(error) as info:
        store.add(args.pop("vectors"), **args)
    assert isinstance(info.value, TwelveLabsError) and isinstance(info.value, ValueError)
    assert len(store) == 0 and store.stats()["next_id"] == 0


def test_huge_but_finite_vectors_are_normalised() -> None:
    store = SegmentStore.create(None, dim=D, model_name="m")
    v = np.full((1, D), 3e38, dtype=np.float32)
    store.add(v, video_ids="v", starts=[0], ends=[1], scopes="clip", options="visual")
    assert store.search(np.ones(D), k=1)[0].score == pytest.approx(1.0, abs=1e-5)


def test_query_and_k_validation() -> None:
    store, x, _ = filled(n=12)
    with pytest.raises(DimensionMismatchError):
        store.search(np.ones(D + 2))
    with pytest.raises(InvalidVectorError):
        store.search(np.zeros(D))
    with pytest.raises(InvalidInputError):
        store.search(x[0], k=0)
    with pytest.raises(InvalidInputError):
        store.search(np.ones((2, D)))
    with pytest.raises(SegmentNotFoundError):
        store.search_like(999)
    with pytest.raises(InvalidInputError):
        store.delete()


def test_search_like_excludes_itself() -> None:
    store, x, ids = filled()
    hits = store.search_like(ids[5], k=4)
    assert len(hits) == 4 and ids[5] not in [h.id for h in hits]
    others = [i for i in brute(x, x[5], 5) if i != 5][:4]
    assert [h.id for h in hits] == others
    assert all(h.video_id == "v2" for h in store.search_like(ids[5], k=3, where={"video_id": "v2"}))


def test_delete_by_where_and_everything() -> None:
    store, x, _ = filled()
    assert store.delete(where={"video_id": "v1"}) == 50
    assert len(store) == 250
    assert all(h.video_id != "v1" for h in store.search(x[60], k=300))
    assert store.delete([0, 1], where={"video_id": "v0", "start": {"$gte": 6}}) == 1
    assert store.delete(where={}) == 249
    assert len(store) == 0 and store.search(x[0]) == [] and store.search_batch(x[:2]) == [[], []]


def test_persistence_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s"
    store, x, ids = filled(path=path)
    store.delete([3])
    store.save()
    before = [[(h.id, h.score, h.text, h.metadata) for h in store.search(q, k=5)] for q in x[:10]]
    stats = store.stats()
    store.close()
    with pytest.raises(StoreClosedError):
        store.search(x[0])
    for mmap in (False, True):
        with SegmentStore.open(path, mmap=mmap) as s2:
            assert len(s2) == 299 and s2.stats()["next_id"] == stats["next_id"]
            assert [[(h.id, h.score, h.text, h.metadata) for h in s2.search(q, k=5)] for q in x[:10]] == before
            assert s2.search(x[4], k=1, where={"odd": False})[0].id == 4
    with SegmentStore.open(path, mmap=True) as s3:  # mmap then write: the vectors are copied in
        new = s3.add(x[:1], video_ids="new", starts=[0], ends=[1], scopes="clip", options="visual")
        assert new == [300]
    with SegmentStore.open(path) as s4:  # the with-block saved
        assert s4.get(new)[0].video_id == "new" and s4.stats()["generation"] == stats["generation"] + 1
    names = {p.name for p in path.iterdir()}
    assert not any(n.endswith(".tmp") for n in names)
    assert len([n for n in names if n.startswith("vectors.")]) == 1


def test_lock_read_only_and_existing(tmp_path: Path) -> None:
    path = tmp_path / "s"
    store, x, _ = filled(path=path, n=12)
    second = SegmentStore.open(path)  # same process: shares the writer (other processes get StoreLockedError)
    assert len(second) == len(store) == 12
    second.close()
    assert len(store) == 12
    with pytest.raises(StoreExistsError):
        SegmentStore.create(path, dim=D, model_name="test-model")
    ro = SegmentStore.open(path, read_only=True)
    assert len(ro) == 0  # the creating handle has not saved its rows yet
    with pytest.raises(ReadOnlyStoreError):
        ro.add(x[:1], video_ids="v", starts=[0], ends=[1], scopes="clip", options="visual")
    with pytest.raises(ReadOnlyStoreError):
        ro.save()
    store.close()
    SegmentStore.open(path).close()
    with pytest.raises(StoreNotFoundError):
        SegmentStore.open(tmp_path / "nothing")
    with pytest.raises(StoreError):
        SegmentStore.create(None, dim=D, model_name="m").save()


def test_tampering_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "s"
    store, x, _ = filled(path=path, n=40)
    store.save()
    store.close()
    man = json.loads((path / "manifest.json").read_text())
    vec = path / man["files"]["vectors"]["name"]
    data = bytearray(vec.read_bytes())
    data[-5] ^= 0xFF
    vec.write_bytes(bytes(data))
    with pytest.raises(CorruptStoreError):
        SegmentStore.open(path)
    vec.write_bytes(bytes(data[:-100]))
    with pytest.raises(CorruptStoreError):
        SegmentStore.open(path, mmap=True)
    (path / "manifest.json").write_text(json.dumps(dict(man, count=39)))
    with pytest.raises(CorruptStoreError):
        SegmentStore.open(path)
    (path / "manifest.json").write_text("{not json")
    with pytest.raises(CorruptStoreError):
        SegmentStore.open(path)
    newer = dict(man, format_version=99)
    (path / "manifest.json").write_text(json.dumps(newer))
    with pytest.raises(UnsupportedFormatError):
        SegmentStore.open(path)


class _FakeEmbed:
    """A stand-in for ``client.embed`` that counts calls (unit test of the cache only)."""

    def __init__(self, vec: np.ndarray) -> None:
        self.vec, self.calls = vec, []

    def create(self, **kw):
        self.calls.append(kw)
        emb = SimpleNamespace(vector=self.vec)
        return SimpleNamespace(model_name="marengo3.0", text_embedding=emb, image_embedding=emb, audio_embedding=emb)


def test_query_cache_persists_across_processes(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 512)).astype(np.float32)
    store = SegmentStore.create(tmp_path / "s", dim=512, model_name="marengo3.0")
    store.add(x, video_ids="v", starts=range(5), ends=range(1, 6), scopes="clip", options="visual")
    store.save()
    client = SimpleNamespace(embed=_FakeEmbed(x[2]))
    assert store.search_text("a fox", client=client, k=1)[0].id == 2
    assert store.search_text("a fox", client=client, k=1)[0].id == 2
    assert len(client.embed.calls) == 1 and client.embed.calls[0]["model_name"] == "marengo3.0"
    img = tmp_path / "q.png"
    img.write_bytes(b"\x89PNG fake")
    store.search_image(img, client=client)
    store.search_image("https://example.com/a.png", client=client)
    assert client.embed.calls[1]["image_file"][0] == "q.png" and client.embed.calls[2]["image_url"].startswith("https")
    store.close()
    with SegmentStore.open(tmp_path / "s", read_only=True) as again:
        assert again.search_text("a fox", k=1)[0].id == 2  # no client at all: served from disk
        with pytest.raises(StoreError):
            again.search_text("never asked")
    assert not list((tmp_path / "s" / "query_cache").glob("*.tmp"))
    bad = SimpleNamespace(embed=_FakeEmbed(x[0]))
    bad.embed.create = lambda **kw: SimpleNamespace(model_name="Marengo-retrieval-2.7", text_embedding=None)
    with SegmentStore.open(tmp_path / "s") as s, pytest.raises(ModelMismatchError):
        s.search_text("other", client=bad)


def test_search_text_through_the_emulator(tmp_path: Path) -> None:
    testing = pytest.importorskip("twelvelabs_rag.testing")
    samples = pytest.importorskip("twelvelabs_rag.testing.samples")
    pytest.importorskip("av")
    fake = testing.FakeTwelveLabs(task_statuses=("ready",))
    client = fake.client()
    clip = tmp_path / "fox.mp4"
    samples.make_clip(clip, "[0-4] a red fox runs through snow\n[4-8] a blue car drives on a road", seconds=8)
    task = client.embed.tasks.create_and_wait(model_name="marengo3.0", video_file=clip, video_clip_length=4)
    store = SegmentStore.create(tmp_path / "s", dim=512, model_name="marengo3.0")
    store.add_embedding_task(task)
    store.add_embedding_task(task)
    assert len(store) == len(task.video_embedding.segments)
    hit = store.search_text("a red fox in the snow", client=client, k=1, where={"option": "visual"})[0]
    assert (hit.video_id, hit.start, hit.end) == (task.id, 0.0, 4.0)
    car = store.search_text("blue car on the road", client=client, k=1, where={"option": "visual"})[0]
    assert car.start == 4.0
    n_requests = len(fake.requests)
    assert store.search_text("a red fox in the snow", client=client, k=1, where={"option": "visual"})[0].id == hit.id
    assert len(fake.requests) == n_requests


async def test_async_search_text_through_the_emulator(tmp_path: Path) -> None:
    testing = pytest.importorskip("twelvelabs_rag.testing")
    fake = testing.FakeTwelveLabs()
    aclient = fake.async_client()
    sync_client = fake.client()
    store = SegmentStore.create(tmp_path / "s", dim=512, model_name="marengo3.0")
    texts = ["a red fox runs through snow", "a blue car drives on a road", "people dance at a party"]
    vecs = np.stack([sync_client.embed.create(model_name="marengo3.0", text=t).text_embedding.vector for t in texts])
    store.add(vecs, video_ids="v", starts=[0, 4, 8], ends=[4, 8, 12], scopes="clip", options="visual", texts=texts)
    hits = await store.asearch_text("fox in snow", client=aclient, k=2)
    assert hits[0].text == texts[0]
    again = await store.asearch_text("fox in snow", k=2)  # cached: no client needed
    assert [h.id for h in again] == [h.id for h in hits]
    await aclient.aclose()


def test_ivf_mode_recall_filters_deletes_and_persistence(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    n, dim = 24_000, 32
    walk = np.cumsum(rng.standard_normal((n, dim)) * 0.2, axis=0) + np.repeat(rng.standard_normal((24, dim)) * 4, 1000, 0)
    x = unit(walk).astype(np.float32)
    vids = [f"v{i // 1000}" for i in range(n)]
    store = SegmentStore.create(tmp_path / "ivf", dim=dim, model_name="m", index="ivf")
    store.add(x, video_ids=vids, starts=np.arange(n) % 1000, ends=np.arange(n) % 1000 + 1, scopes="clip",
              options="visual")
    assert not store.stats()["ann"]["trained"] and store.stats()["ann"]["rebuild_recommended"]  # add never trains
    seen: list[tuple[int, int]] = []
    info = store.build_index(progress=lambda done, total: seen.append((done, total)))
    assert info["trained"] and not info["rebuild_recommended"] and seen[0] == (0, n) and seen[-1] == (n, n)
    qs = unit(x[rng.integers(0, n, 50)] + rng.standard_normal((50, dim)).astype(np.float32) * 0.05)
    exact = np.argsort(-(qs @ x.T), axis=1)[:, :10]
    got = store.search_batch(qs, k=10)
    recall = np.mean([len(set(e.tolist()) & {h.id for h in g}) / 10 for e, g in zip(exact, got, strict=True)])
    assert recall >= 0.9
    assert [h.id for h in got[0]] == [h.id for h in store.search(qs[0], k=10)]
    # a one-video filter (4%) is routed to the exact scan of that video's rows
    rows = np.arange(3000, 4000)
    want = rows[np.argsort(-(x[rows] @ qs[1]))[:10]].tolist()
    assert [h.id for h in store.search(qs[1], k=10, where={"video_id": "v3"})] == want
    top = got[2][0].id
    store.delete([top])
    assert top not in {h.id for h in store.search(qs[2], k=10)}
    store.save()
    store.close()
    with SegmentStore.open(tmp_path / "ivf") as again:
        assert again.stats()["ann"]["trained"] and top not in {h.id for h in again.search(qs[2], k=10)}
        assert len(again) == n - 1
    with pytest.raises(InvalidInputError, match="HNSW"):
        SegmentStore.create(None, dim=dim, model_name="m", index="hnsw")
