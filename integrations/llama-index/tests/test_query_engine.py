"""End to end: RetrieverQueryEngine over TwelveLabsRetriever with TwelveLabsPegasus (sync, stream, async)."""

from __future__ import annotations

import pytest
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.llms.twelvelabs import TwelveLabsPegasus
from llama_index.retrievers.twelvelabs import TwelveLabsRetriever


@pytest.fixture
def engine_parts(library, client, aclient):
    retriever = TwelveLabsRetriever(library["index_id"], client=client, async_client=aclient, similarity_top_k=3)
    llm = TwelveLabsPegasus(library["wildlife.mp4"], client=client, async_client=aclient)
    return retriever, llm


def _check_sources(response, library) -> None:
    assert response.source_nodes
    top = response.source_nodes[0].node.metadata
    assert top["video_id"] == library["wildlife.mp4"] and (top["start"], top["end"]) == (8.0, 12.0)
    assert top["filename"] == "wildlife.mp4"


def test_query_answers_with_clip_sources(engine_parts, library, fake) -> None:
    retriever, llm = engine_parts
    engine = RetrieverQueryEngine.from_args(retriever, llm=llm)
    response = engine.query("Which animal catches salmon?")
    assert "bear" in str(response)
    _check_sources(response, library)
    # Pegasus saw the retrieved clip (its transcript and citation metadata) in the prompt.
    prompt = fake.calls("POST /analyze")[-1].json["prompt"]
    assert "the bear is fishing" in prompt and "wildlife.mp4" in prompt and "Which animal catches salmon?" in prompt
    assert len(fake.calls("POST /analyze")) == 1  # honest metadata: the context fits, one call


def test_streaming_query(engine_parts, library) -> None:
    retriever, llm = engine_parts
    engine = RetrieverQueryEngine.from_args(retriever, llm=llm, streaming=True)
    response = engine.query("Which animal catches salmon?")
    pieces = list(response.response_gen)
    assert len(pieces) > 1 and "bear" in "".join(pieces)
    _check_sources(response, library)


async def test_aquery(engine_parts, library, fake) -> None:
    retriever, llm = engine_parts
    engine = RetrieverQueryEngine.from_args(retriever, llm=llm)
    response = await engine.aquery("Which animal catches salmon?")
    assert "bear" in str(response)
    _check_sources(response, library)


async def test_async_streaming_query(engine_parts, library) -> None:
    retriever, llm = engine_parts
    engine = RetrieverQueryEngine.from_args(retriever, llm=llm, streaming=True)
    response = await engine.aquery("Which animal catches salmon?")
    pieces = [p async for p in response.async_response_gen()]
    assert "bear" in "".join(pieces)
    _check_sources(response, library)
