"""The ``where`` language compiled to Milvus expressions: the table, the refusals, and the same rows as locally."""

from __future__ import annotations

import numpy as np
import pytest

from twelvelabs_rag.store import FilterError, SegmentStore
from twelvelabs_rag.store._milvus_filters import FALSE, TRUE, compile_where, decode_metadata, encode_metadata

TABLE = [
    ({"video_id": "a"}, '(video_id == "a")'),
    ({"video_id": {"$in": ["b", "a"]}}, '(video_id in ["a", "b"])'),
    ({"video_id": {"$nin": ["a"]}}, '(not (video_id == "a"))'),
    ({"scope": {"$ne": "clip"}}, '(not (scope == "clip"))'),
    ({"start": {"$gte": 0.1, "$lt": 5}}, "((start >= 0.10000000149011612) and (start < 5.0))"),
    ({"end": {"$in": [1, 2.5]}}, "(end in [1.0, 2.5])"),
    ({"id": {"$gt": 2.5}}, "(id > 2)"),
    ({"id": {"$lte": 2.5}}, "(id <= 2)"),
    ({"id": {"$eq": 2.5}}, FALSE),
    ({"id": {"$in": []}}, FALSE),
    ({"option": {"$nin": []}}, '(not (id < 0))'),
    ({"text": "hi"}, '(text is not null and text == "hi")'),
    ({"text": None}, "(text is null)"),
    ({"text": {"$ne": "hi"}}, '(not (text is not null and text == "hi"))'),
    ({"lang": "en"}, '(exists metadata["lang"] and metadata["lang"] == "en")'),
    ({"metadata.n": {"$gt": 3}}, '(exists metadata["n"] and metadata["n"] > 3)'),
    ({"flag": True}, '(exists metadata["flag"] and metadata["flag"] == "~tl~b1")'),
    ({"lang": {"$nin": ["en", 1]}},
     '(not (exists metadata["lang"] and (metadata["lang"] == "en" or metadata["lang"] == 1)))'),
    ({"$or": [{"video_id": "a"}, {"$not": {"start": {"$lt": 1}}}]},
     '((video_id == "a") or (not (start < 1.0)))'),
    ({"$and": [{"scope": "clip"}], "option": "audio"}, '((scope == "clip") and (option == "audio"))'),
    ({"video_id": 'quote"and\\back'}, '(video_id == "quote\\"and\\\\back")'),
]


@pytest.mark.parametrize(("where", "expr"), TABLE)
def test_compile_table(where, expr) -> None:
    assert compile_where(where, {"lang", "flag"}) == expr


@pytest.mark.parametrize(
    ("where", "match"),
    [
        ({"lang": "en"}, "unknown filter key 'lang'"),
        ({"video_id": {"$regex": "a"}}, "unknown operator"),
        ({"$nor": []}, "unknown logical operator"),
        ({"scope": {"$gt": "a"}}, "for numbers"),
        ({"text": {"$lt": 3}}, "not supported"),
        ({"start": "zero"}, "needs a number"),
        ({"start": {"$in": 3}}, "needs a list"),
        ({"video_id": 3}, "strings"),
        ({"$or": []}, "non-empty"),
        ({"metadata.n": {"$gt": "3"}}, "needs a number"),
        ({"start": float("inf")}, "finite"),
        ({"video_id": {}}, "empty operator"),
    ],
)
def test_refusals_are_filter_errors(where, match) -> None:
    with pytest.raises(FilterError, match=match):
        compile_where(where, set())


def test_empty_filters_select_everything() -> None:
    assert compile_where(None, set()) is None and compile_where({}, set()) is None
    with pytest.raises(FilterError):
        compile_where(["video_id"], set())  # type: ignore[arg-type]
    assert TRUE != FALSE


def test_metadata_encoding_roundtrips() -> None:
    meta = {"b": True, "n": None, "l": [1, {"x": 2}], "d": {"k": "v"}, "s": "~tl~sneaky", "i": 3, "f": 1.5, "t": "x"}
    enc = encode_metadata(meta)
    assert enc["b"] != 1 and enc["i"] == 3 and enc["t"] == "x"
    assert decode_metadata(enc) == meta
    assert encode_metadata(None) == {}


# ---------------------------------------------------------------------------- executed on both backends
METAS = [{"n": 1, "lang": "en"}, {"n": True}, {"n": 1.0}, {"n": "1"}, {"n": None}, {"lang": "fr"}, None,
         {"n": 2.5, "tags": ["a"]}, {"n": 0}, {}]
FILTERS = [
    {"n": 1}, {"n": True}, {"n": None}, {"n": "1"}, {"n": {"$ne": 1}}, {"n": {"$gt": 0}}, {"n": {"$lte": 1}},
    {"n": {"$in": [1, "1"]}}, {"n": {"$nin": [1]}}, {"lang": {"$ne": "en"}}, {"tags": ["a"]},
    {"text": None}, {"text": {"$ne": "t1"}}, {"text": {"$in": ["t1", None]}}, {"text": 5},
    {"$not": {"n": 1}}, {"$or": [{"lang": "fr"}, {"n": {"$gte": 2}}]},
    {"start": {"$gte": 0.1, "$lt": 0.7}}, {"start": 0.3}, {"end": {"$in": [0.4, 0.9]}},
    {"id": {"$gt": 3.5}}, {"id": {"$in": [1, 2.0, 2.5]}}, {"video_id": {"$nin": ["v0"]}},
    {"scope": "video", "option": {"$ne": "audio"}}, {"metadata.missing": {"$ne": 1}},
]


@pytest.fixture(scope="module")
def both(lite_uri):
    from twelvelabs_rag.store import MilvusSegmentStore

    rng = np.random.default_rng(0)
    x = rng.standard_normal((len(METAS), 8)).astype(np.float32)
    cols = dict(video_ids=[f"v{i % 3}" for i in range(len(METAS))], starts=[i / 10 for i in range(len(METAS))],
                ends=[i / 10 + 0.1 for i in range(len(METAS))], scopes=["clip", "video"] * 5,
                options=["visual", "audio"] * 5, texts=[None, "t1", "", "t2"] * 2 + [None, "t1"], metadatas=METAS)
    local = SegmentStore(dim=8, model_name="m")
    local.add(x, **cols)
    milvus = MilvusSegmentStore(lite_uri, collection="filters_both", dim=8, model_name="m")
    milvus.add(x, **cols)
    yield local, milvus
    milvus.close()


def local_ids(store: SegmentStore, where) -> list[int]:
    if hasattr(store, "ids"):
        return store.ids(where).tolist()
    return sorted(h.id for h in store.search(np.ones(store.dim), k=max(len(store), 1), where=where))


@pytest.mark.parametrize("where", FILTERS)
def test_same_rows_as_the_local_store(both, where) -> None:
    local, milvus = both
    assert milvus.ids(where).tolist() == local_ids(local, where)
