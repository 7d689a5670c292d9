"""TwelveLabsSegmentVectorStore: the standard suite (memory and on disk), segments from embedding tasks, filters."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest
from langchain_core.documents import Document
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_tests.integration_tests import VectorStoreIntegrationTests

from langchain_twelvelabs import TwelveLabsEmbeddings, TwelveLabsSegmentVectorStore
from langchain_twelvelabs.vectorstores import LC_ID_KEY


class TestSegmentVectorStoreInMemory(VectorStoreIntegrationTests):
    @pytest.fixture
    def vectorstore(self) -> Generator[TwelveLabsSegmentVectorStore, None, None]:
        yield TwelveLabsSegmentVectorStore(self.get_embeddings())


class TestSegmentVectorStoreOnDisk(VectorStoreIntegrationTests):
    @pytest.fixture
    def vectorstore(self, tmp_path: Path) -> Generator[TwelveLabsSegmentVectorStore, None, None]:
        store = TwelveLabsSegmentVectorStore(self.get_embeddings(), path=tmp_path / "lc.tlstore")
        yield store
        if store.store is not None:
            store.store.close()


def test_ids_round_trip_through_a_reopen(tmp_path: Path) -> None:
    emb = DeterministicFakeEmbedding(size=8)
    path = tmp_path / "s.tlstore"
    store = TwelveLabsSegmentVectorStore(emb, path=path)
    store.add_texts(["alpha", "beta", "gamma"], metadatas=[{"n": 1}, {"n": 2}, {"n": 3}], ids=["a", "b", "c"])
    store.add_texts(["beta two"], metadatas=[{"n": 22}], ids=["b"])  # replaces b
    store.delete(["c"])
    store.store.close()

    again = TwelveLabsSegmentVectorStore(emb, path=path)
    docs = sorted(again.get_by_ids(["a", "b", "c"]), key=lambda d: d.id)
    assert [(d.id, d.page_content, d.metadata) for d in docs] == [("a", "alpha", {"n": 1}), ("b", "beta two", {"n": 22})]
    assert len(again.store) == 2
    assert all(LC_ID_KEY not in d.metadata for d in again.similarity_search("alpha", k=5))


def test_reserved_metadata_key_is_refused() -> None:
    store = TwelveLabsSegmentVectorStore(DeterministicFakeEmbedding(size=4))
    with pytest.raises(ValueError, match="reserved"):
        store.add_texts(["x"], metadatas=[{LC_ID_KEY: "y"}])


def test_filters_use_the_store_where_syntax() -> None:
    store = TwelveLabsSegmentVectorStore(DeterministicFakeEmbedding(size=8))
    store.add_texts(
        ["fox", "eagle", "bear", "taxi"],
        metadatas=[{"video_id": "w", "start": 0.0, "end": 4.0}, {"video_id": "w", "start": 4.0, "end": 8.0},
                   {"video_id": "w", "start": 8.0, "end": 12.0}, {"video_id": "c", "start": 4.0, "end": 8.0}],
    )
    docs = store.similarity_search("fox", k=10, filter={"video_id": "w", "start": {"$gte": 4}})
    assert sorted(d.page_content for d in docs) == ["bear", "eagle"]
    assert [d.page_content for d in store.similarity_search("x", k=10, filter={"video_id": {"$in": ["c"]}})] == ["taxi"]
    store.delete(filter={"video_id": "w"})
    assert [d.page_content for d in store.similarity_search("fox", k=10)] == ["taxi"]


def _embedding_task(world, name: str):
    client = world.client()
    return client.embed.tasks.create_and_wait(
        model_name="Marengo-retrieval-2.7", video_file=world.media_dir / name, poll_interval=0
    )


def test_segments_from_an_embedding_task_are_searchable_by_text(world) -> None:
    emb = TwelveLabsEmbeddings(api_shape="classic", **world.clients_kw())
    store = TwelveLabsSegmentVectorStore(emb)
    city = _embedding_task(world, "city.mp4")
    ids = store.add_embedding_task(_embedding_task(world, "wildlife.mp4"))
    ids += store.add_embedding_task(city)
    assert len(ids) == len(set(ids)) >= 4
    [top] = store.similarity_search("a yellow taxi drives through the rain", k=1)
    assert set(top.metadata) >= {"video_id", "start", "end", "scope", "option"}
    assert top.id in ids
    pairs = store.similarity_search_with_score("a yellow taxi drives through the rain", k=3)
    assert pairs[0][1] >= pairs[-1][1]
    mmr = store.max_marginal_relevance_search("snow", k=2, fetch_k=6)
    assert len(mmr) == 2 and mmr[0].id != mmr[1].id
    retriever = store.as_retriever(search_kwargs={"k": 2, "filter": {"scope": "clip"}})
    assert len(retriever.invoke("a fox")) == 2
    before = len(store.store)
    again = store.add_embedding_task(city)  # re-adding a task replaces its rows; ids are stable
    assert len(store.store) == before and set(again) <= set(ids)
    assert {d.id for d in store.get_by_ids(again)} == set(again)


async def test_async_twins(world) -> None:
    emb = TwelveLabsEmbeddings(api_shape="classic", **world.clients_kw())
    store = await TwelveLabsSegmentVectorStore.afrom_texts(
        ["a red fox in snow", "a chef cooks pasta"], emb, ids=["fox", "chef"]
    )
    await store.aadd_embedding_task(_embedding_task(world, "kitchen.mp4"))
    docs = await store.asimilarity_search("a chef chops onions", k=3)
    assert any(d.id == "chef" for d in docs)
    assert (await store.aget_by_ids(["fox"]))[0].page_content == "a red fox in snow"
    await store.adelete(["fox"])
    assert await store.aget_by_ids(["fox"]) == []
    assert len(await store.amax_marginal_relevance_search("pasta", k=2)) == 2


def test_dimension_comes_from_the_first_vectors() -> None:
    store = TwelveLabsSegmentVectorStore(DeterministicFakeEmbedding(size=5))
    assert store.similarity_search("anything") == []
    store.add_documents([Document("hello", id="h")])
    assert store.store.dim == 5


def test_add_embeddings_stores_precomputed_vectors_and_last_duplicate_wins() -> None:
    emb = DeterministicFakeEmbedding(size=6)
    store = TwelveLabsSegmentVectorStore(emb)
    pairs = [("a", emb.embed_query("a")), ("b", emb.embed_query("b")), ("a2", emb.embed_query("a2"))]
    ids = store.add_embeddings(pairs, [{"n": 1}, {"n": 2}, {"n": 3}], ids=["x", "y", "x"])
    assert ids == ["x", "y", "x"]
    assert len(store.store) == 2
    assert {d.id: (d.page_content, d.metadata) for d in store.get_by_ids(["x", "y"])} == {
        "x": ("a2", {"n": 3}), "y": ("b", {"n": 2})}
    assert store.similarity_search_by_vector(emb.embed_query("b"), k=1)[0].id == "y"


def test_any_to_any_image_vector_finds_the_matching_segment(world) -> None:
    emb = TwelveLabsEmbeddings(api_shape="classic", **world.clients_kw())
    store = TwelveLabsSegmentVectorStore(emb)
    wildlife = _embedding_task(world, "wildlife.mp4")
    store.add_embedding_task(wildlife)
    store.add_embedding_task(_embedding_task(world, "city.mp4"))
    [image_vector] = emb.embed_image([world.media_dir / "fox.png"])
    [top] = store.similarity_search_by_vector(image_vector, k=1)
    assert top.metadata["video_id"] == wildlife.id and top.metadata["start"] == 0.0


def test_line_separator_characters_survive_a_reopen(tmp_path: Path) -> None:
    """Issue 9 item 1: U+2028/U+2029/U+0085 in texts or metadata used to make the saved store unreadable."""
    emb = DeterministicFakeEmbedding(size=8)
    path = tmp_path / "s.tlstore"
    texts = ["line\u2028separator", "para\u2029graph", "next\x85line"]
    store = TwelveLabsSegmentVectorStore(emb, path=path)
    store.add_texts(texts, metadatas=[{"note": t} for t in texts], ids=["a", "b", "c"])
    store.store.close()

    again = TwelveLabsSegmentVectorStore(emb, path=path)
    docs = sorted(again.get_by_ids(["a", "b", "c"]), key=lambda d: d.id)
    assert [(d.page_content, d.metadata) for d in docs] == [(t, {"note": t}) for t in texts]
    again.store.close()


# --- the current flow: embed v2 tasks and indexed-asset embeddings, with asset_id -------------------


def test_embed_v2_task_and_indexed_asset_segments_keep_their_asset(current_world) -> None:
    client = current_world.client()
    store = TwelveLabsSegmentVectorStore(TwelveLabsEmbeddings(**current_world.clients_kw()))
    city_asset = current_world.assets["city.mp4"]
    task = client.embed.v2.tasks.create_and_wait(
        input_type="video", model_name="marengo3.0", video={"media_source": {"asset_id": city_asset}}, poll_interval=0)
    from_task = store.add_embedding_task(task, asset_id=city_asset)
    indexed = client.indexes.indexed_assets.retrieve(
        current_world.index_id, current_world.videos["wildlife.mp4"], embedding_option=["visual", "audio"])
    from_index = store.add_embedding_task(indexed)
    assert from_task and from_index and not set(from_task) & set(from_index)
    [taxi] = store.similarity_search("a yellow taxi drives through the rain", k=1, filter={"scope": "clip"})
    assert taxi.metadata["asset_id"] == city_asset and taxi.metadata["video_id"] == task.id
    assert taxi.metadata["start"] < 8.0 and taxi.metadata["end"] > 4.0  # the segment holds the taxi scene (4-8 s)
    [bear] = store.similarity_search("a brown bear catches salmon in a river", k=1, filter={"scope": "clip"})
    assert bear.metadata["asset_id"] == current_world.assets["wildlife.mp4"]
    assert bear.metadata["video_id"] == indexed.id and bear.metadata["option"] in ("visual", "audio")
    # Re-adding replaces the rows (stable ids); a filter on asset_id finds one video's segments.
    before = len(store.store)
    store.add_embedding_task(indexed)
    assert len(store.store) == before
    only = store.similarity_search("anything", k=20, filter={"metadata.asset_id": city_asset})
    assert only and {d.metadata["asset_id"] for d in only} == {city_asset}


def test_vectors_of_another_model_are_refused(world, current_world) -> None:
    from twelvelabs_rag.store import ModelMismatchError

    store = TwelveLabsSegmentVectorStore(TwelveLabsEmbeddings(**current_world.clients_kw()))  # marengo3.0
    with pytest.raises(ModelMismatchError, match="use a store created with that model"):
        store.add_embedding_task(_embedding_task(world, "city.mp4"))  # Marengo 2.7 vectors
