"""TwelveLabsSegmentVectorStore: embed-task ingestion, index queries (text and image), filters, delete, persist.

The fixtures ``small`` and ``store`` come in two backends: the local SegmentStore, and a MilvusSegmentStore
on milvus-lite given as ``store=`` (marked slow: a collection takes a second or two to create), so every
test that uses them checks the Milvus backend against the same expectations.
"""

from __future__ import annotations

import numpy as np
import pytest
from llama_index.core import VectorStoreIndex
from llama_index.core.schema import QueryBundle, TextNode
from llama_index.core.vector_stores import (
    FilterCondition,
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
)
from llama_index.core.vector_stores.types import BasePydanticVectorStore
from llama_index.embeddings.twelvelabs import TwelveLabsEmbedding
from llama_index.vector_stores.twelvelabs import TwelveLabsSegmentVectorStore, nodes_from_embedding_task

from twelvelabs_rag.store import DimensionMismatchError, FilterError, InvalidInputError

EMBED_MODEL = "Marengo-retrieval-2.7"


@pytest.fixture
def tasks(client, media):
    """Retrieved embedding tasks (with vectors) for the three demo clips, by file name."""
    out = {}
    for name in ("wildlife.mp4", "city.mp4", "kitchen.mp4"):
        out[name] = client.embed.tasks.create_and_wait(
            model_name=EMBED_MODEL, video_file=media[name], video_clip_length=4
        )
    return out


@pytest.fixture
def embed(client, aclient) -> TwelveLabsEmbedding:
    return TwelveLabsEmbedding(EMBED_MODEL, client=client, async_client=aclient)


BACKENDS = ["local", pytest.param("milvus", marks=pytest.mark.slow)]


def _empty(request: pytest.FixtureRequest, *, dim: int, model_name: str) -> TwelveLabsSegmentVectorStore:
    if request.param == "milvus":
        return TwelveLabsSegmentVectorStore(store=request.getfixturevalue("make_milvus")(dim=dim, model_name=model_name))
    return TwelveLabsSegmentVectorStore()


@pytest.fixture(params=BACKENDS)
def store(request, tasks) -> TwelveLabsSegmentVectorStore:
    store = _empty(request, dim=1024, model_name=EMBED_MODEL)
    for name, task in tasks.items():
        store.add_embedding_task(task, video_id=name.removesuffix(".mp4"))
    return store


def vec(*hot: int, dim: int = 8) -> list[float]:
    v = np.full(dim, 0.01)
    for i in hot:
        v[i] = 1.0
    return v.tolist()


def node(id_: str, *hot: int, ref: str | None = None, **meta) -> TextNode:
    n = TextNode(id_=id_, text=f"text of {id_}", embedding=vec(*hot), metadata=meta)
    if ref is not None:
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo

        n.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=ref)
    return n


@pytest.fixture(params=BACKENDS)
def small(request) -> TwelveLabsSegmentVectorStore:
    store = _empty(request, dim=8, model_name="custom-8d")
    store.add([
        node("a", 0, ref="doc1", video_id="v1", start=0.0, end=4.0, option="visual", lang="en", n=1),
        node("b", 1, ref="doc1", video_id="v1", start=4.0, end=8.0, option="audio", lang="fr", n=2),
        node("c", 2, ref="doc2", video_id="v2", start=0.0, end=4.0, option="visual", lang="en", n=3),
        node("d", 3, ref="doc2", video_id="v2", start=4.0, end=8.0, option="visual", n=4),
    ])
    return store


def q(store, *hot: int, k: int = 10, filters=None, **kw):
    return store.query(VectorStoreQuery(query_embedding=vec(*hot), similarity_top_k=k, filters=filters, **kw))


def test_class_contract(small) -> None:
    assert BasePydanticVectorStore in TwelveLabsSegmentVectorStore.__mro__
    assert small.stores_text is True and small.is_embedding_query is True
    assert small.client.dim == 8 and len(small.client) == 4


def test_nodes_from_embedding_task(tasks) -> None:
    task = tasks["wildlife.mp4"]
    nodes = nodes_from_embedding_task(task)
    assert len(nodes) == len(task.video_embedding.segments)
    first = nodes[0]
    assert first.metadata["video_id"] == task.id and first.metadata["model_name"] == EMBED_MODEL
    assert {"start", "end", "scope", "option"} <= set(first.metadata)
    assert len(first.embedding) == 1024 and len({n.node_id for n in nodes}) == len(nodes)
    assert "wildlife.mp4" in first.text


def test_index_answers_a_text_query_with_segments(store, embed) -> None:
    index = VectorStoreIndex.from_vector_store(store, embed_model=embed)
    hits = index.as_retriever(similarity_top_k=3).retrieve("a brown bear catches salmon in a river")
    top = hits[0].node.metadata
    assert top["video_id"] == "wildlife" and (top["start"], top["end"]) == (8.0, 12.0)
    assert hits[0].score >= hits[-1].score


def test_image_query_finds_the_segment_it_describes(store, embed, media) -> None:
    index = VectorStoreIndex.from_vector_store(store, embed_model=embed)
    image_vec = embed.get_image_embedding(str(media["taxi.png"]))
    hits = index.as_retriever(similarity_top_k=2).retrieve(QueryBundle(query_str="", embedding=image_vec))
    assert hits[0].node.metadata["video_id"] == "city" and hits[0].node.metadata["start"] == 4.0


async def test_async_index_query(store, embed) -> None:
    index = VectorStoreIndex.from_vector_store(store, embed_model=embed)
    hits = await index.as_retriever(similarity_top_k=1).aretrieve("a chef chops onions on a wooden board")
    assert hits[0].node.metadata["video_id"] == "kitchen"


@pytest.mark.parametrize(("filters", "expected"), [
    ([MetadataFilter(key="video_id", value="v1")], {"a", "b"}),
    ([MetadataFilter(key="video_id", value="v1", operator=FilterOperator.NE)], {"c", "d"}),
    ([MetadataFilter(key="start", value=4.0, operator=FilterOperator.GTE)], {"b", "d"}),
    ([MetadataFilter(key="start", value=4.0, operator=FilterOperator.GT)], set()),
    ([MetadataFilter(key="end", value=4.0, operator=FilterOperator.LTE)], {"a", "c"}),
    ([MetadataFilter(key="n", value=3, operator=FilterOperator.LT)], {"a", "b"}),
    ([MetadataFilter(key="option", value=["audio"], operator=FilterOperator.IN)], {"b"}),
    ([MetadataFilter(key="lang", value=["en"], operator=FilterOperator.NIN)], {"b", "d"}),
    ([MetadataFilter(key="lang", value="en"), MetadataFilter(key="video_id", value="v2")], {"c"}),
    ([MetadataFilter(key="never_seen", value="x")], set()),
])
def test_filters_are_prefilters(small, filters, expected) -> None:
    result = q(small, 0, k=1 if len(expected) == 1 else 10, filters=MetadataFilters(filters=filters))
    assert set(result.ids) == expected
    assert len(result.similarities) == len(result.nodes) == len(expected)


def test_filters_or_not_and_nesting(small) -> None:
    either = MetadataFilters(
        filters=[MetadataFilter(key="lang", value="fr"), MetadataFilter(key="n", value=4)], condition=FilterCondition.OR
    )
    assert set(q(small, 0, filters=either).ids) == {"b", "d"}
    negated = MetadataFilters(filters=[MetadataFilter(key="video_id", value="v1")], condition=FilterCondition.NOT)
    assert set(q(small, 0, filters=negated).ids) == {"c", "d"}
    nested = MetadataFilters(filters=[MetadataFilter(key="video_id", value="v2"), either])
    assert q(small, 0, filters=nested).ids == ["d"]
    # top-k is taken after filtering: the best match overall ("a") is excluded, still k results.
    top1 = q(small, 0, k=1, filters=MetadataFilters(filters=[MetadataFilter(key="video_id", value="v2")]))
    assert len(top1.ids) == 1 and top1.ids[0] in {"c", "d"}


def test_unsupported_filter_operator_is_a_typed_error(small) -> None:
    bad = MetadataFilters(filters=[MetadataFilter(key="lang", value="e", operator=FilterOperator.CONTAINS)])
    with pytest.raises(FilterError, match="CONTAINS"):
        q(small, 0, filters=bad)


def test_node_and_doc_id_restrictions(small) -> None:
    assert set(q(small, 0, node_ids=["b", "c"]).ids) == {"b", "c"}
    assert set(q(small, 0, doc_ids=["doc2"]).ids) == {"c", "d"}
    assert len(q(small, 0, node_ids=[], doc_ids=[]).ids) == 4  # empty lists do not restrict


def test_query_returns_whole_nodes(small) -> None:
    result = q(small, 1, k=1)
    n = result.nodes[0]
    assert result.ids == ["b"] and n.node_id == "b" and n.text == "text of b"
    assert n.metadata["lang"] == "fr" and n.ref_doc_id == "doc1"
    assert result.similarities[0] == pytest.approx(1.0, abs=1e-3)


def test_get_nodes_and_delete(small) -> None:
    got = small.get_nodes(["c", "a", "zzz"])
    assert [n.node_id for n in got] == ["c", "a"] and got[0].embedding is not None
    assert {n.node_id for n in small.get_nodes(filters=MetadataFilters(filters=[
        MetadataFilter(key="option", value="visual")]))} == {"a", "c", "d"}
    small.delete("doc1")
    assert {n.node_id for n in small.get_nodes(filters=MetadataFilters(filters=[]))} == {"c", "d"}
    assert set(q(small, 0).ids) == {"c", "d"}
    small.delete_nodes(["c"])
    assert q(small, 0).ids == ["d"]
    small.delete_nodes(filters=MetadataFilters(filters=[MetadataFilter(key="video_id", value="v2")]))
    assert q(small, 0).ids == []
    with pytest.raises(InvalidInputError, match="clear"):
        small.delete_nodes()
    with pytest.raises(InvalidInputError, match="clear"):
        small.delete_nodes(filters=MetadataFilters(filters=[]))


def test_node_ids_are_kept_and_re_adding_replaces(small) -> None:
    moved = node("a", 2, ref="doc1", video_id="v9", start=10.0, end=14.0, option="visual")
    small.add([moved])
    assert len(small.client) == 4
    (got,) = small.get_nodes(["a"])
    assert got.metadata["video_id"] == "v9"
    small.clear()
    assert q(small, 0).ids == [] and len(small.client) == 0


def test_text_chunks_without_time_range_do_not_collide() -> None:
    store = TwelveLabsSegmentVectorStore()
    store.add([node(f"chunk{i}", i, ref="doc", video_id="v1") for i in range(3)])
    assert len(store.client) == 3


def test_bad_nodes_are_refused(small) -> None:
    with pytest.raises(InvalidInputError, match="no embedding"):
        small.add([TextNode(id_="x", text="no vector")])
    with pytest.raises(DimensionMismatchError):
        small.add([TextNode(id_="y", text="short", embedding=[1.0, 0.0])])
    twins = [node("p", 0, video_id="v", start=0.0, end=1.0), node("q", 1, video_id="v", start=0.0, end=1.0)]
    with pytest.raises(InvalidInputError, match="same segment"):
        small.add(twins)
    with pytest.raises(InvalidInputError, match="no embedding"):
        small.query(VectorStoreQuery(query_embedding=None, query_str="fox"))
    assert len(small.client) == 4


def test_persist_and_reload_in_memory_store(small, tmp_path) -> None:
    before = q(small, 2, 1, k=2)
    small.persist(str(tmp_path / "segments"))
    small.add([node("e", 4, video_id="v3", start=0.0, end=2.0)])
    small.persist(str(tmp_path / "segments"))  # overwrite the snapshot at the same place
    reloaded = TwelveLabsSegmentVectorStore(tmp_path / "segments")
    assert len(reloaded.client) == 5
    after = q(reloaded, 2, 1, k=2)
    assert after.ids == before.ids
    assert [n.text for n in after.nodes] == [n.text for n in before.nodes]
    assert after.nodes[0].metadata == before.nodes[0].metadata
    reloaded.close()


def test_on_disk_store_round_trip(tmp_path) -> None:
    path = tmp_path / "disk"
    store = TwelveLabsSegmentVectorStore(path)
    store.add([node("a", 0, ref="d", video_id="v1", start=0.0, end=4.0)])
    store.persist(str(path))
    store.delete("d")
    store.close()  # the deletion was never persisted
    again = TwelveLabsSegmentVectorStore(path)
    assert [n.node_id for n in again.get_nodes(["a"])] == ["a"]
    again.close()


async def test_async_twins(small, tmp_path) -> None:
    await small.async_add([node("e", 4, ref="doc3", video_id="v3", start=0.0, end=2.0)])
    assert (await small.aquery(VectorStoreQuery(query_embedding=vec(4), similarity_top_k=1))).ids == ["e"]
    assert [n.node_id for n in await small.aget_nodes(["e"])] == ["e"]
    await small.adelete("doc3")
    await small.adelete_nodes(["a"])
    assert set((await small.aquery(VectorStoreQuery(query_embedding=vec(0), similarity_top_k=10))).ids) == {
        "b", "c", "d"}
    await small.aclear()
    assert len(small.client) == 0


async def test_aadd_embedding_task(tasks) -> None:
    store = TwelveLabsSegmentVectorStore()
    ids = await store.aadd_embedding_task(tasks["kitchen.mp4"], video_id="kitchen")
    assert len(ids) == len(store.client) > 0


def test_reader_documents_through_an_index_into_the_store(library, client, embed) -> None:
    """Reader -> VectorStoreIndex.from_documents (SentenceSplitter, offline nltk data) -> this store."""
    from llama_index.core import StorageContext
    from llama_index.readers.twelvelabs import TwelveLabsVideoReader

    docs = TwelveLabsVideoReader(library["index_id"], client=client, mode="segments", show_progress=False).load_data(
        video_ids=[library["wildlife.mp4"], library["kitchen.mp4"]]
    )
    store = TwelveLabsSegmentVectorStore()
    index = VectorStoreIndex.from_documents(
        docs, storage_context=StorageContext.from_defaults(vector_store=store), embed_model=embed
    )
    assert len(store.client) == len(docs)
    hits = index.as_retriever(similarity_top_k=1).retrieve("the chef plates spaghetti with tomato sauce")
    meta = hits[0].node.metadata
    assert meta["video_id"] == library["kitchen.mp4"] and (meta["start"], meta["end"]) == (8.0, 12.0)
    filtered = index.as_retriever(
        similarity_top_k=5,
        filters=MetadataFilters(filters=[MetadataFilter(key="kind", value="transcript")]),
    ).retrieve("a bear")
    assert filtered and all(h.node.metadata["kind"] == "transcript" for h in filtered)
    index.delete_ref_doc(docs[0].id_)
    assert len(store.client) == len(docs) - 1


def test_storage_context_persist_and_load_index(store, embed, tmp_path) -> None:
    from llama_index.core import StorageContext, load_index_from_storage

    index = VectorStoreIndex.from_vector_store(store, embed_model=embed)
    before = index.as_retriever(similarity_top_k=2).retrieve("a yellow taxi drives through the rain")
    index.storage_context.persist(persist_dir=str(tmp_path / "ctx"))
    reopened = TwelveLabsSegmentVectorStore.from_persist_dir(tmp_path / "ctx")
    ctx = StorageContext.from_defaults(persist_dir=str(tmp_path / "ctx"), vector_store=reopened)
    loaded = load_index_from_storage(ctx, embed_model=embed)
    after = loaded.as_retriever(similarity_top_k=2).retrieve("a yellow taxi drives through the rain")
    assert [h.node.node_id for h in after] == [h.node.node_id for h in before]
    assert after[0].node.metadata["video_id"] == "city"
    reopened.close()


def test_add_returns_one_id_per_node_and_reopened_stores_know_their_ids(tmp_path) -> None:
    path = tmp_path / "ids"
    store = TwelveLabsSegmentVectorStore(path)
    first = node("x", 0, video_id="v", start=0.0, end=1.0)
    twice = node("x", 1, video_id="v", start=0.0, end=1.0)
    assert store.add([first, node("y", 2, video_id="v", start=1.0, end=2.0), twice]) == ["x", "y", "x"]
    assert len(store.client) == 2 and q(store, 1, k=1).ids == ["x"]  # the last "x" won
    store.persist(str(path))
    store.close()
    reopened = TwelveLabsSegmentVectorStore(path)
    reopened.add([node("y", 3, video_id="v9", start=5.0, end=6.0)])  # same id, new key: old row goes
    assert len(reopened.client) == 2
    assert [n.metadata["video_id"] for n in reopened.get_nodes(["y"])] == ["v9"]
    reopened.delete_nodes(["x"])
    assert [n.node_id for n in reopened.get_nodes(filters=MetadataFilters(filters=[]))] == ["y"]
    reopened.close()


def test_delete_nodes_with_ids_and_filters_deletes_only_nodes_matching_both(small) -> None:
    """Both given: the filters narrow the ids (a delete that ignored them would also drop "b")."""
    small.delete_nodes(["a", "b"], filters=MetadataFilters(filters=[MetadataFilter(key="lang", value="en")]))
    assert {n.node_id for n in small.get_nodes(filters=MetadataFilters(filters=[]))} == {"b", "c", "d"}
    assert [n.node_id for n in small.get_nodes(["b"])] == ["b"]


def test_line_separator_characters_survive_persist_and_reload(tmp_path) -> None:
    """Issue 9 item 1: U+2028/U+2029/U+0085 in node text or metadata used to make the saved store unreadable."""
    texts = {"a": "line\u2028separator", "b": "para\u2029graph", "c": "next\x85line"}
    store = TwelveLabsSegmentVectorStore()
    nodes = []
    for i, (id_, text) in enumerate(texts.items()):
        n = node(id_, i, video_id="v1", start=float(i), end=float(i + 1), note=text)
        n.text = text
        nodes.append(n)
    store.add(nodes)
    store.persist(str(tmp_path / "segments"))
    reloaded = TwelveLabsSegmentVectorStore(tmp_path / "segments")
    got = {n.node_id: n for n in reloaded.get_nodes(list(texts))}
    assert {k: (n.text, n.metadata["note"]) for k, n in got.items()} == {k: (t, t) for k, t in texts.items()}
    reloaded.close()


def test_embed_v2_task_and_indexed_asset_nodes_keep_their_asset(client, current_library) -> None:
    city_asset = current_library["asset:city.mp4"]
    task = client.embed.v2.tasks.create_and_wait(
        input_type="video", model_name="marengo3.0", video={"media_source": {"asset_id": city_asset}}, poll_interval=0)
    indexed = client.indexes.indexed_assets.retrieve(
        current_library["index_id"], current_library["wildlife.mp4"], embedding_option=["visual", "audio"])
    store = TwelveLabsSegmentVectorStore()
    store.add_embedding_task(task, asset_id=city_asset, model_name="marengo3.0")
    store.add_embedding_task(indexed)
    embed = TwelveLabsEmbedding(client=client)  # marengo3.0: the same space

    def top(text: str):
        result = store.query(VectorStoreQuery(query_embedding=embed.get_query_embedding(text), similarity_top_k=1,
                                              filters=MetadataFilters(filters=[MetadataFilter(key="scope", value="clip")])))
        return result.nodes[0].metadata

    taxi = top("a yellow taxi drives through the rain")
    assert taxi["asset_id"] == city_asset and taxi["model_name"] == "marengo3.0" and taxi["task_id"] == task.id
    assert taxi["start"] < 8.0 and taxi["end"] > 4.0
    bear = top("a brown bear catches salmon in a river")
    assert bear["asset_id"] == current_library["asset:wildlife.mp4"] and bear["video_id"] == indexed.id
    with pytest.raises(InvalidInputError, match="carries no segment vectors"):
        nodes_from_embedding_task(client.indexes.indexed_assets.retrieve(current_library["index_id"],
                                                                         current_library["city.mp4"]))


def test_a_given_store_is_used_as_is_and_stays_open(tmp_path) -> None:
    from twelvelabs_rag.store import SegmentStore

    path = tmp_path / "given"
    writer = TwelveLabsSegmentVectorStore(path)
    writer.add([node("a", 0, video_id="v1", start=0.0, end=4.0), node("b", 1, video_id="v1", start=4.0, end=8.0)])
    writer.persist(str(path))
    writer.close()
    handle = SegmentStore.open(path, read_only=True)  # the caller's handle: nothing is reopened or locked
    try:
        vs = TwelveLabsSegmentVectorStore(store=handle)
        assert vs.client is handle and vs.model_name == handle.model_name
        assert [n.node_id for n in vs.get_nodes(["b", "a"])] == ["b", "a"]
        assert q(vs, 1, k=1).ids == ["b"]
        vs.close()
        assert len(handle) == 2  # still open: a given store stays the caller's
    finally:
        handle.close()
    with pytest.raises(InvalidInputError, match="not both"):
        TwelveLabsSegmentVectorStore(path, store=handle)
    with pytest.raises(InvalidInputError, match="SegmentIndex"):
        TwelveLabsSegmentVectorStore(store=object())  # type: ignore[arg-type]
