"""TwelveLabsSegmentVectorStore over an existing store (``store=``): a MilvusSegmentStore on milvus-lite (a file,
no server) runs LangChain's standard vector-store suite and gives the same answers as the local SegmentStore;
a given store is used as is (``.client``), never reopened or locked."""

from __future__ import annotations

import itertools
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_tests.integration_tests import VectorStoreIntegrationTests

from langchain_twelvelabs import TwelveLabsEmbeddings, TwelveLabsSegmentVectorStore
from twelvelabs_rag.store import SegmentStore

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from twelvelabs_rag.store import MilvusSegmentStore

_names = itertools.count()


@pytest.fixture
def lite_uri(milvus_uri: str) -> str:
    return milvus_uri


def _milvus(uri: str, *, dim: int, model_name: str) -> MilvusSegmentStore:
    return MilvusSegmentStore(uri, collection=f"lcvs{next(_names)}", dim=dim, model_name=model_name)


@pytest.mark.slow
class TestSegmentVectorStoreOnMilvus(VectorStoreIntegrationTests):
    @pytest.fixture
    def vectorstore(self, lite_uri: str) -> Generator[TwelveLabsSegmentVectorStore, None, None]:
        milvus = _milvus(lite_uri, dim=6, model_name="langchain:DeterministicFakeEmbedding")
        yield TwelveLabsSegmentVectorStore(self.get_embeddings(), store=milvus)
        milvus.close()


def _texts() -> tuple[list[str], list[dict[str, Any]], list[str]]:
    texts = ["a fox in the snow", "an eagle over a lake", "a bear fishing", "a taxi in the rain", "a chef cooks"]
    metas = [{"video_id": "w", "start": 0.0, "end": 4.0, "n": 1}, {"video_id": "w", "start": 4.0, "end": 8.0, "n": 2},
             {"video_id": "w", "start": 8.0, "end": 12.0, "n": 3}, {"video_id": "c", "start": 0.0, "end": 4.0, "n": 4},
             {"video_id": "k", "start": 0.0, "end": 4.0, "n": 5}]
    return texts, metas, ["fox", "eagle", "bear", "taxi", "chef"]


def _run(store: TwelveLabsSegmentVectorStore) -> list[Any]:
    """The same writes and reads on any backend; what came back at each step."""
    texts, metas, ids = _texts()
    store.add_texts(texts, metadatas=metas, ids=ids)
    out: list[Any] = [[d.id for d in store.similarity_search("a fox", k=5)]]
    out.append([d.id for d in store.similarity_search("a fox", k=5, filter={"video_id": "w", "n": {"$gte": 2}})])
    store.add_texts(["a bear catches salmon"], metadatas=[{"video_id": "w", "start": 8.0, "end": 12.0, "n": 33}],
                    ids=["bear"])  # replaces the row of "bear"
    out.append(len(store.client))
    out.append([(d.id, d.page_content, d.metadata["n"]) for d in store.get_by_ids(["taxi", "bear", "nope", "fox"])])
    store.delete(["eagle"])
    out.append(sorted(d.id for d in store.similarity_search("x", k=10)))
    store.delete(filter={"video_id": {"$in": ["c", "k"]}})
    out.append(sorted(d.id for d in store.similarity_search("x", k=10)))
    out.append([d.id for d in store.max_marginal_relevance_search("a fox", k=2, fetch_k=3)])
    return out


@pytest.mark.slow
def test_milvus_backend_answers_like_the_local_store(lite_uri: str) -> None:
    emb = DeterministicFakeEmbedding(size=8)
    local = _run(TwelveLabsSegmentVectorStore(emb))
    milvus = _milvus(lite_uri, dim=8, model_name="fake")
    try:
        on_milvus = _run(TwelveLabsSegmentVectorStore(emb, store=milvus))
    finally:
        milvus.close()
    assert on_milvus == local
    assert local[2] == 5 and local[3] == [("taxi", "a taxi in the rain", 4), ("bear", "a bear catches salmon", 33),
                                          ("fox", "a fox in the snow", 1)]
    assert local[5] == ["bear", "fox"]


@pytest.mark.slow
async def test_milvus_backend_holds_embedding_task_segments(world, lite_uri: str) -> None:
    emb = TwelveLabsEmbeddings(api_shape="classic", **world.clients_kw())
    milvus = _milvus(lite_uri, dim=1024, model_name="Marengo-retrieval-2.7")
    try:
        store = TwelveLabsSegmentVectorStore(emb, store=milvus)
        assert store.client is milvus
        client = world.client()
        city = client.embed.tasks.create_and_wait(model_name="Marengo-retrieval-2.7",
                                                  video_file=world.media_dir / "city.mp4", poll_interval=0)
        ids = await store.aadd_embedding_task(city)
        assert len(ids) == len(set(ids)) == len(milvus) >= 2
        assert await store.aadd_embedding_task(city) == ids and len(milvus) == len(ids)  # re-adding replaces
        [top] = await store.asimilarity_search("a yellow taxi drives through the rain", k=1,
                                               filter={"scope": "clip"})
        assert top.id in ids and top.metadata["video_id"] == city.id
        assert {d.id for d in await store.aget_by_ids(ids)} == set(ids)
        await store.adelete(ids[:1])
        assert len(milvus) == len(ids) - 1
    finally:
        milvus.close()


def test_a_given_store_is_used_as_is_and_not_reopened(tmp_path: Path) -> None:
    emb = DeterministicFakeEmbedding(size=4)
    path = tmp_path / "s.tlstore"
    writer = TwelveLabsSegmentVectorStore(emb, path=path)
    writer.add_texts(["alpha", "beta"], ids=["a", "b"])
    assert writer.client is not None
    writer.client.close()
    handle = SegmentStore.open(path, read_only=True)  # a handle the caller opened: the vector store only uses it
    try:
        reader = TwelveLabsSegmentVectorStore(emb, store=handle)
        assert reader.client is handle and reader.store is handle
        assert [d.id for d in reader.get_by_ids(["b", "a"])] == ["b", "a"]
    finally:
        handle.close()
    with pytest.raises(ValueError, match="not both"):
        TwelveLabsSegmentVectorStore(emb, path=path, store=handle)
    with pytest.raises(TypeError, match="SegmentIndex"):
        TwelveLabsSegmentVectorStore(emb, store=object())  # type: ignore[arg-type]


def test_the_segment_search_tools_refuse_what_is_not_a_segment_store() -> None:
    from pydantic import ValidationError

    from langchain_twelvelabs.tools import TwelveLabsSegmentSearchTool, TwelveLabsToolkit

    for build in (lambda: TwelveLabsSegmentSearchTool(store={"not": "a store"}),
                  lambda: TwelveLabsToolkit(api_key="tlk_x", store=[1, 2, 3])):
        with pytest.raises(ValidationError, match="SegmentIndex"):
            build()
