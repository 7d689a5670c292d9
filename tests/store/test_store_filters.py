"""``where`` filters: every operator against a plain-Python model, exactness, and typed errors."""

from __future__ import annotations

import numpy as np
import pytest

from twelvelabs_rag.store import FilterError, SegmentStore

D = 8
N = 400


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((N, D)).astype(np.float32)
    rows = []
    for i in range(N):
        rows.append({
            "id": i,
            "video_id": f"v{i % 9}" if i < 300 else "tail",
            "start": float((i * 3) % 97),
            "scope": "video" if i % 13 == 0 else "clip",
            "option": ("visual", "audio", "transcription")[i % 3],
            "text": None if i % 4 else f"text {i % 5}",
            "meta": {"lang": ("en", "fr")[i % 2], "n": i % 7, "flag": i % 5 == 0} if i % 3 else None,
        })
    for r in rows:
        r["end"] = r["start"] + 4.5
    store = SegmentStore.create(None, dim=D, model_name="m")
    store.add(x, video_ids=[r["video_id"] for r in rows], starts=[r["start"] for r in rows],
              ends=[r["end"] for r in rows], scopes=[r["scope"] for r in rows], options=[r["option"] for r in rows],
              texts=[r["text"] for r in rows], metadatas=[r["meta"] for r in rows])
    return store, x, rows


_MISSING = object()


def _value(row, key):
    if key in ("id", "video_id", "start", "end", "scope", "option", "text"):
        return row[key]
    key = key.removeprefix("metadata.")
    return (row["meta"] or {}).get(key, _MISSING)


def _eq(a, b):
    return a is not _MISSING and isinstance(a, bool) == isinstance(b, bool) and a == b


def _match(row, where) -> bool:
    for key, spec in where.items():
        if key == "$and":
            if not all(_match(row, w) for w in spec):
                return False
            continue
        if key == "$or":
            if not any(_match(row, w) for w in spec):
                return False
            continue
        if key == "$not":
            if _match(row, spec):
                return False
            continue
        v = _value(row, key)
        ops = spec if isinstance(spec, dict) else {"$eq": spec}
        for op, arg in ops.items():
            num = v is not _MISSING and isinstance(v, (int, float)) and not isinstance(v, bool)
            ok = {
                "$eq": lambda: _eq(v, arg),
                "$ne": lambda: not _eq(v, arg),
                "$in": lambda: any(_eq(v, a) for a in arg),
                "$nin": lambda: not any(_eq(v, a) for a in arg),
                "$gt": lambda: num and v > arg,
                "$gte": lambda: num and v >= arg,
                "$lt": lambda: num and v < arg,
                "$lte": lambda: num and v <= arg,
            }[op]()
            if not ok:
                return False
    return True


WHERES = [
    {"video_id": "v3"},
    {"video_id": {"$eq": "v3"}},
    {"video_id": {"$ne": "v3"}},
    {"video_id": {"$in": ["v1", "v2", "tail", "nope"]}},
    {"video_id": {"$nin": ["v1", "tail"]}},
    {"video_id": {"$in": []}},
    {"video_id": "does-not-exist"},
    {"scope": "video"},
    {"scope": {"$ne": "video"}, "option": "audio"},
    {"option": {"$in": ["audio", "transcription"]}},
    {"option": {"$nin": ["audio"]}},
    {"start": {"$gte": 30}},
    {"start": {"$gt": 30, "$lte": 60}},
    {"end": {"$lt": 20.5}},
    {"start": 33.0},
    {"start": {"$in": [0, 3, 6]}},
    {"start": {"$nin": [0, 3, 6]}, "end": {"$ne": 10.5}},
    {"id": {"$gte": 100, "$lt": 120}},
    {"id": {"$in": [1, 5, 399]}},
    {"text": "text 0"},
    {"text": {"$in": ["text 1", "text 2"]}},
    {"text": {"$ne": "text 0"}},
    {"lang": "fr"},
    {"metadata.lang": {"$ne": "fr"}},
    {"n": {"$gte": 3}},
    {"n": {"$in": [1, 2]}, "lang": "en"},
    {"n": {"$nin": [1, 2]}},
    {"flag": True},
    {"flag": 1},
    {"metadata.unknown_yet": "x"},
    {"$or": [{"video_id": "v1"}, {"start": {"$lt": 5}}]},
    {"$and": [{"video_id": {"$in": ["v1", "v2"]}}, {"$not": {"option": "audio"}}]},
    {"video_id": {"$in": ["v4", "v5"]}, "scope": "clip", "start": {"$gte": 30}, "option": "visual"},
    {},
]


@pytest.mark.parametrize("where", WHERES, ids=[str(w) for w in WHERES])
def test_filters_match_the_model_and_are_exact(data, where) -> None:
    store, x, rows = data
    expected = [r["id"] for r in rows if _match(r, where)]
    q = np.random.default_rng(len(str(where))).standard_normal(D)
    for k in (1, 10, N):
        hits = store.search(q, k=k, where=where)
        assert len(hits) == min(k, len(expected))
        assert {h.id for h in hits} <= set(expected)
        xn = x / np.linalg.norm(x, axis=1, keepdims=True)
        s = xn[expected] @ (q / np.linalg.norm(q))
        best = [expected[i] for i in np.lexsort((np.arange(len(s)), -s))[:k]]
        assert [h.id for h in hits] == best
    batch = store.search_batch(np.stack([q, -q]), k=10, where=where)
    assert [h.id for h in batch[0]] == [h.id for h in store.search(q, k=10, where=where)]
    assert [h.id for h in batch[1]] == [h.id for h in store.search(-q, k=10, where=where)]


def test_filters_after_deletes_and_video_index_cache(data) -> None:
    _, x, rows = data
    store = SegmentStore.create(None, dim=D, model_name="m")
    store.add(x, video_ids=[r["video_id"] for r in rows], starts=[r["start"] for r in rows],
              ends=[r["end"] for r in rows], scopes="clip", options="visual")
    store.delete(where={"video_id": "v2", "start": {"$lt": 50}})
    for _ in range(4):  # the fourth query uses the cached per-video row index
        hits = store.search(x[2], k=N, where={"video_id": "v2"})
        expect = [r["id"] for r in rows if r["video_id"] == "v2" and r["start"] >= 50]
        assert sorted(h.id for h in hits) == sorted(expect)
    new = store.add(x[:1], video_ids="v2", starts=[500], ends=[501], scopes="clip", options="visual")
    assert new[0] in {h.id for h in store.search(x[0], k=N, where={"video_id": "v2"})}


@pytest.mark.parametrize(
    "where",
    [
        {"colour": "red"},
        {"video_id": {"$regex": "v.*"}},
        {"$nor": [{"video_id": "v1"}]},
        {"start": {"$gte": "30"}},
        {"start": {"$gte": True}},
        {"video_id": {"$gt": "v1"}},
        {"video_id": 3},
        {"video_id": {"$in": "v1"}},
        {"scope": {"$in": ["clip", 1]}},
        {"text": {"$gt": "a"}},
        {"n": {"$gt": "3"}},
        {"$or": []},
        {"$and": [{"video_id": "v1"}, "oops"]},
        {"start": {}},
        {1: "x"},
    ],
    ids=str,
)
def test_bad_filters_raise_filter_error(data, where) -> None:
    store, x, _ = data
    with pytest.raises(FilterError) as info:
        store.search(x[0], where=where)
    assert isinstance(info.value, ValueError)
    with pytest.raises(FilterError):
        store.delete(where=where)
    with pytest.raises(FilterError):
        store.search_batch(x[:2], where=where)


def test_where_must_be_a_dict(data) -> None:
    store, x, _ = data
    with pytest.raises(FilterError):
        store.search(x[0], where=[("video_id", "v1")])  # type: ignore[arg-type]


def test_metadata_filters_see_rows_added_later_and_survive_compaction() -> None:
    store = SegmentStore.create(None, dim=D, model_name="m")
    rng = np.random.default_rng(3)
    ids = []
    for round_ in range(4):
        x = rng.standard_normal((50, D))
        ids += store.add(x, video_ids=f"v{round_}", starts=np.arange(50), ends=np.arange(50) + 1, scopes="clip",
                         options="visual", metadatas=[{"round": round_, "even": i % 2 == 0} for i in range(50)])
        hits = store.search(x[0], k=1000, where={"round": {"$gte": 1}, "even": True})
        assert len(hits) == 25 * round_
    store.delete(where={"round": 1})
    store.compact()
    hits = store.search(rng.standard_normal(D), k=1000, where={"even": True})
    assert sorted(h.metadata["round"] for h in hits) == sorted([0, 2, 3] * 25)
