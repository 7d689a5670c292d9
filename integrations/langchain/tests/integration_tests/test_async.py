"""Async methods are real async calls through AsyncTwelveLabs: they work with only an async client.

If any async path fell back to the sync client (or to the base classes' run-in-executor defaults,
which call the sync methods), the objects below would try to build a sync client without an API
key and fail with ConfigurationError.
"""

from __future__ import annotations

import inspect

import pytest
from langchain_core.document_loaders import BaseLoader
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import LLM, BaseChatModel
from langchain_core.retrievers import BaseRetriever
from langchain_core.vectorstores import VectorStore

import langchain_twelvelabs as lt

PAIRS = {
    lt.TwelveLabsEmbeddings: (Embeddings, ["embed_query", "embed_documents", "embed_image", "embed_audio"]),
    lt.TwelveLabsSearchRetriever: (BaseRetriever, ["_get_relevant_documents"]),
    lt.TwelveLabsVideoLoader: (BaseLoader, ["lazy_load"]),
    lt.ChatTwelveLabsPegasus: (BaseChatModel, ["_generate", "_stream"]),
    lt.TwelveLabsPegasusLLM: (LLM, ["_call", "_stream"]),
    lt.TwelveLabsSegmentVectorStore: (
        VectorStore,
        ["add_texts", "add_embedding_task", "delete", "get_by_ids", "similarity_search",
         "similarity_search_with_score", "similarity_search_by_vector", "max_marginal_relevance_search",
         "from_texts"],
    ),
}


def _async_name(name: str) -> str:
    if name.startswith("_"):
        return {"_get_relevant_documents": "_aget_relevant_documents", "_generate": "_agenerate",
                "_stream": "_astream", "_call": "_acall"}[name]
    return "a" + name


@pytest.mark.parametrize("cls", list(PAIRS), ids=lambda c: c.__name__)
def test_every_sync_method_has_its_own_async_twin(cls) -> None:
    base, names = PAIRS[cls]
    for name in names:
        twin = _async_name(name)
        impl = getattr(cls, twin)
        assert impl is not getattr(base, twin, None), f"{cls.__name__}.{twin} is the base class default"
        func = getattr(impl, "__func__", impl)
        assert inspect.iscoroutinefunction(func) or inspect.isasyncgenfunction(func), twin
        assert func.__module__.startswith("langchain_twelvelabs"), twin


@pytest.fixture
def no_key(monkeypatch):
    for var in ("TWELVELABS_API_KEY", "TWELVE_LABS_API_KEY", "TWELVELABS_BASE_URL"):
        monkeypatch.delenv(var, raising=False)


async def test_async_paths_use_only_the_async_client(world, no_key, fresh_fake, index_models) -> None:
    aclient = world.async_client()
    emb = lt.TwelveLabsEmbeddings(async_client=aclient)
    assert len(await emb.aembed_documents(["a fox", "a taxi"])) == 2
    assert len((await emb.aembed_image([world.media_dir / "fox.png"]))[0]) == 512  # embed v2, marengo3.0

    retriever = lt.TwelveLabsSearchRetriever(index_id=world.index_id, k=2, async_client=aclient)
    docs = await retriever.ainvoke("a brown bear catches salmon")
    assert docs[0].metadata["filename"] == "wildlife.mp4"

    chat = lt.ChatTwelveLabsPegasus(video_id=world.fox_video, async_client=aclient)
    assert "bear" in (await chat.ainvoke("What is the bear doing?")).text
    llm = lt.TwelveLabsPegasusLLM(video_id=world.fox_video, async_client=aclient)
    assert "bear" in "".join([t async for t in llm.astream("What is the bear doing?")])

    store = lt.TwelveLabsSegmentVectorStore(emb)
    await store.aadd_texts(["a red fox in the snow", "a yellow taxi"], ids=["fox", "taxi"])
    assert (await store.asimilarity_search("fox snow", k=1))[0].id == "fox"

    loader = lt.TwelveLabsVideoLoader(
        [world.media_dir / "city.mp4"], models=index_models, async_client=fresh_fake.async_client(),
        show_progress=False, poll_interval=0,
    )
    [doc] = [d async for d in loader.alazy_load()]
    assert doc.metadata["filename"] == "city.mp4"
    current = lt.TwelveLabsVideoLoader(  # the current flow: assets + indexed assets, all async
        [world.media_dir / "city.mp4"], index_name="async-current", async_client=fresh_fake.async_client(),
        show_progress=False, poll_interval=0,
    )
    [doc] = [d async for d in current.alazy_load()]
    assert doc.metadata["asset_id"] and "taxi" in doc.page_content

    with pytest.raises(Exception, match="API key"):
        emb.embed_query("the sync path needs a key")  # proves the async calls above never built one
