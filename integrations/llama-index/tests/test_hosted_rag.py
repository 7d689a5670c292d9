"""Hosted RAG through LlamaIndex against the emulator: knowledge-store retriever and the Responses chat LLM.

Moments and citations are checked against the clip scripts of ``tests/hosted`` (from
``twelvelabs_rag.testing.samples``); the emulator gets its assets from ``tests/hosted``'s seeding
stand-in until the assets emulator is merged.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.llms import ChatMessage, CustomLLM
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.schema import QueryBundle
from llama_index.llms.twelvelabs import TwelveLabsResponses
from llama_index.retrievers.twelvelabs import TwelveLabsKnowledgeStoreRetriever

from twelvelabs_rag import BadRequestError, ConfigurationError, NotFoundError, StreamCutError
from twelvelabs_rag.testing import FakeTwelveLabs, parse_script
from twelvelabs_rag.testing.samples import make_clip

_HOSTED = Path(__file__).resolve().parents[3] / "tests" / "hosted"
if str(_HOSTED) not in sys.path:
    sys.path.insert(0, str(_HOSTED))
from _hosted_support import HOSTED_SCRIPTS  # noqa: E402

SEARCH = "POST /knowledge-stores/{knowledge_store_id}/search"
RESPONSES = "POST /responses"


@dataclass
class Hosted:
    fake: Any
    ks: str
    items: dict[str, str]
    assets: dict[str, str]

    def kw(self) -> dict[str, Any]:
        return {"client": self.fake.client(), "async_client": self.fake.async_client()}


@pytest.fixture(scope="module")
def hosted(tmp_path_factory: pytest.TempPathFactory) -> Hosted:
    fake = FakeTwelveLabs(seed=9)
    client = fake.client()
    root = tmp_path_factory.mktemp("li-hosted")
    ks = client.knowledge_stores.create(name="li-hosted")
    items, assets = {}, {}
    for name, script in HOSTED_SCRIPTS.items():
        assets[name] = fake.add_asset(make_clip(root / name, script))
        items[name] = client.knowledge_stores.items.create_and_wait(ks.id, asset_id=assets[name], poll_interval=0).id
    return Hosted(fake, ks.id, items, assets)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def _scene(h: Hosted, item_id: str, start: float, end: float) -> Any:
    name = next(n for n, i in h.items.items() if i == item_id)
    return next(s for s in parse_script(HOSTED_SCRIPTS[name]) if (s.start, s.end) == (start, end))


def _check_citations(h: Hosted, text: str, citations: list[dict[str, Any]]) -> None:
    assert citations, f"no citations for {text!r}"
    for c in citations:
        assert c["quote"] == text[c["start_index"]: c["end_index"] + 1]
        assert _words(c["quote"]) <= _words(_scene(h, c["item_id"], c["start"], c["end"]).text)


# ---------------------------------------------------------------------------------------------- retriever
def test_retriever_nodes_are_moments_holding_the_query_words(hosted: Hosted) -> None:
    retriever = TwelveLabsKnowledgeStoreRetriever(hosted.ks, similarity_top_k=5, **hosted.kw())
    hits = retriever.retrieve("eagle ducks")
    assert {h.node.metadata["filename"] for h in hits} == {"wildlife.mp4", "park.mp4"}
    for h in hits:
        meta = h.node.metadata
        assert _words(_scene(hosted, meta["item_id"], meta["start"], meta["end"]).text) & {"eagle", "ducks"}
        assert meta["asset_id"] == hosted.assets[meta["filename"]] and meta["modalities"]
        assert h.score == pytest.approx(1 / meta["rank"])
        assert "item_id" not in h.node.get_content(metadata_mode="llm")  # ids stay out of the LLM context
    assert len({h.node.node_id for h in hits}) == len(hits)


def test_retriever_follows_pages_up_to_top_k(hosted: Hosted) -> None:
    before = len(hosted.fake.calls(SEARCH))
    retriever = TwelveLabsKnowledgeStoreRetriever(hosted.ks, similarity_top_k=3, page_size=1, **hosted.kw())
    hits = retriever.retrieve("a fox, an eagle, a taxi and ducks")
    calls = hosted.fake.calls(SEARCH)[before:]
    assert len(hits) == 3 and len(calls) == 3 and calls[2].json["page_token"]


async def test_async_retrieve_matches_sync(hosted: Hosted) -> None:
    retriever = TwelveLabsKnowledgeStoreRetriever(hosted.ks, similarity_top_k=4, **hosted.kw())
    sync = retriever.retrieve("football goal pond")
    asynced = await retriever.aretrieve(QueryBundle("football goal pond"))
    assert sync and [h.node.node_id for h in asynced] == [h.node.node_id for h in sync]


def test_retriever_errors_are_typed(hosted: Hosted) -> None:
    with pytest.raises(ConfigurationError, match="knowledge store"):
        TwelveLabsKnowledgeStoreRetriever("", **hosted.kw())
    with pytest.raises(ConfigurationError, match="page_size"):
        TwelveLabsKnowledgeStoreRetriever(hosted.ks, page_size=0, **hosted.kw())
    with pytest.raises(ConfigurationError, match="Empty query"):
        TwelveLabsKnowledgeStoreRetriever(hosted.ks, **hosted.kw()).retrieve(" ")
    with pytest.raises(NotFoundError):
        TwelveLabsKnowledgeStoreRetriever("ks_000000000000000000000000", **hosted.kw()).retrieve("fox")


# ---------------------------------------------------------------------------------------------- Responses LLM
def test_is_a_chat_llm() -> None:
    assert CustomLLM.__name__ in [c.__name__ for c in TwelveLabsResponses.__mro__]


def test_chat_citations_and_session_across_turns(hosted: Hosted) -> None:
    llm = TwelveLabsResponses(hosted.ks, **hosted.kw())
    first = llm.chat([ChatMessage(role="user", content="Where does the bear fish?")])
    cites = first.message.additional_kwargs["citations"]
    _check_citations(hosted, first.message.content, cites)
    assert cites[0]["item_id"] == hosted.items["wildlife.mp4"] and (cites[0]["start"], cites[0]["end"]) == (8.0, 12.0)
    before = len(hosted.fake.calls(RESPONSES))
    second = llm.chat([ChatMessage(role="user", content="Where does the bear fish?"), first.message,
                       ChatMessage(role="user", content="And what else?")])
    (call,) = hosted.fake.calls(RESPONSES)[before:]
    assert call.json["session_id"] == first.message.additional_kwargs["session_id"]
    assert [m["content"] for m in call.json["input"]] == ["And what else?"]
    assert "bear" in second.message.content
    _check_citations(hosted, second.message.content, second.additional_kwargs["citations"])


def test_chat_engine_keeps_the_session(hosted: Hosted) -> None:
    # ChatMemoryBuffer: the default Memory opens an aiosqlite store that is never closed (a ResourceWarning later)
    engine = SimpleChatEngine.from_defaults(llm=TwelveLabsResponses(hosted.ks, **hosted.kw()),
                                            memory=ChatMemoryBuffer.from_defaults(token_limit=4000))
    engine.chat("Where do the ducks swim?")
    before = len(hosted.fake.calls(RESPONSES))
    reply = engine.chat("Tell me more")
    (call,) = hosted.fake.calls(RESPONSES)[before:]
    assert call.json.get("session_id") and "ducks" in reply.response


def test_stream_chat_deltas_in_order(hosted: Hosted) -> None:
    llm = TwelveLabsResponses(hosted.ks, **hosted.kw())
    whole = llm.chat([ChatMessage(role="user", content="Tell me about the fox")])
    parts = list(llm.stream_chat([ChatMessage(role="user", content="Tell me about the fox")]))
    deltas = [p.delta for p in parts if p.delta]
    assert len(deltas) > 5 and "".join(deltas) == whole.message.content
    assert all(p.message.content == "".join(deltas[: i + 1]) for i, p in enumerate(q for q in parts if q.delta))
    assert parts[-1].additional_kwargs["citations"] == whole.additional_kwargs["citations"]
    completion = list(llm.stream_complete("Tell me about the fox"))
    assert "".join(c.delta or "" for c in completion) == whole.message.content


async def test_async_chat_and_stream(hosted: Hosted) -> None:
    llm = TwelveLabsResponses(hosted.ks, **hosted.kw())
    answer = await llm.achat([ChatMessage(role="user", content="Where do the ducks swim?")])
    _check_citations(hosted, answer.message.content, answer.additional_kwargs["citations"])
    gen = await llm.astream_chat([ChatMessage(role="user", content="Where do the ducks swim?"), answer.message,
                                  ChatMessage(role="user", content="Tell me more")])
    parts = [p async for p in gen]
    assert parts[-1].additional_kwargs["session_id"] == answer.additional_kwargs["session_id"]
    assert "ducks" in parts[-1].message.content
    completion = await llm.acomplete("Where does the bear fish?")
    assert "bear" in completion.text and completion.additional_kwargs["citations"]


def test_llm_errors_are_typed(hosted: Hosted) -> None:
    llm = TwelveLabsResponses(hosted.ks, **hosted.kw())
    with pytest.raises(ConfigurationError, match="unknown arguments"):
        llm.chat([ChatMessage(role="user", content="hi")], temperature=0.1)
    with pytest.raises(ConfigurationError, match="must end with a user message"):
        llm.chat([ChatMessage(role="user", content="hi"),
                  ChatMessage(role="assistant", content="hello", additional_kwargs={"session_id": "sess_x"})])
    with pytest.raises(BadRequestError, match="does not exist"):
        TwelveLabsResponses("ks_000000000000000000000000", **hosted.kw()).complete("fox")
    hosted.fake.cut_stream_next()
    with pytest.raises(StreamCutError):
        list(llm.stream_chat([ChatMessage(role="user", content="Tell me about the fox")]))


# ---------------------------------------------------------------------------------------------- reader target
def _indexed_assets_fake(seed: int) -> Any:
    """An emulator in which each indexed video's ``asset_id`` is a real asset (as a POST /tasks upload is)."""
    return FakeTwelveLabs(seed=seed)


def _reader(fake: Any, index_id: str, **kw: Any) -> Any:
    from llama_index.readers.twelvelabs import TwelveLabsVideoReader

    return TwelveLabsVideoReader(index_id, client=fake.client(), async_client=fake.async_client(), content="transcript",
                                 show_progress=False, poll_interval=0, target="knowledge_store", **kw)


def _index(fake: Any) -> str:
    return fake.client().indexes.create(index_name="li-ks", models=[
        {"model_name": "marengo2.7", "model_options": ["visual", "audio"]}]).id


def test_reader_builds_a_searchable_store_from_local_files(media: dict[str, Path]) -> None:
    fake = _indexed_assets_fake(21)
    index_id = _index(fake)
    reader = _reader(fake, index_id)
    docs = reader.load_data([media["wildlife.mp4"], media["city.mp4"]])
    ks = reader.knowledge_store_id
    client = fake.client()
    items = {i.id: i for i in client.knowledge_stores.items.list(ks)}
    assert {d.metadata["item_id"] for d in docs} == set(items) and len(items) == 2
    assert all(i.status == "ready" for i in items.values())
    for doc in docs:
        assert doc.metadata["knowledge_store_id"] == ks
        assert doc.metadata["asset_id"] == client.indexes.videos.retrieve(index_id, doc.metadata["video_id"]).asset_id
    (hit,) = TwelveLabsKnowledgeStoreRetriever(ks, similarity_top_k=1, client=client).retrieve("a bear catches salmon")
    assert hit.node.metadata["filename"] == "wildlife.mp4" and hit.node.metadata["start"] == 8.0
    before = len(fake.calls("POST /knowledge-stores/{knowledge_store_id}/items"))
    _reader(fake, index_id, knowledge_store_id=ks).load_data([media["wildlife.mp4"]])  # already there: not re-added
    assert len(fake.calls("POST /knowledge-stores/{knowledge_store_id}/items")) == before


async def test_reader_async_into_a_given_store(media: dict[str, Path]) -> None:
    fake = _indexed_assets_fake(23)
    ks = fake.client().knowledge_stores.create(name="given").id
    reader = _reader(fake, _index(fake), knowledge_store_id=ks)
    docs = await reader.aload_data([media["kitchen.mp4"], media["city.mp4"]])
    streamed = [d async for d in reader.alazy_load_data([media["kitchen.mp4"]])]
    items = list(fake.client().knowledge_stores.items.list(ks))
    assert len(items) == 2 and {d.metadata["item_id"] for d in docs} == {i.id for i in items}
    assert streamed[0].metadata["item_id"] in {i.id for i in items}


def test_reader_target_arguments_are_checked() -> None:
    from llama_index.readers.twelvelabs import TwelveLabsVideoReader

    fake = _indexed_assets_fake(25)
    with pytest.raises(ConfigurationError, match="target must be"):
        TwelveLabsVideoReader("idx_1", client=fake.client(), target="store")
    with pytest.raises(ConfigurationError, match="only used with target='knowledge_store'"):
        TwelveLabsVideoReader("idx_1", client=fake.client(), knowledge_store_id="ks_1")
    assert fake.requests == []


def test_a_failed_answer_raises_instead_of_answering_nothing() -> None:
    import json

    import httpx
    from llama_index.llms.twelvelabs.responses import ResponseFailedError

    from twelvelabs_rag import TwelveLabs

    failed = {"id": "resp_1", "status": "failed", "output": [],
              "incomplete_details": {"reason": "retrieval_unavailable"}}

    def handler(request: httpx.Request) -> httpx.Response:
        if not json.loads(request.content)["stream"]:
            return httpx.Response(200, json=failed)
        body = (f"data: {json.dumps({'type': 'response.output_text.delta', 'sequence_number': 0, 'delta': 'The'})}\n\n"
                f"data: {json.dumps({'type': 'response.failed', 'sequence_number': 1, 'response': failed})}\n\n"
                "data: [DONE]\n\n")
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})

    with TwelveLabs("tlk_test", base_url="http://tl.test/v1.3", transport=httpx.MockTransport(handler),
                    max_retries=0) as client:
        llm = TwelveLabsResponses("ks_1", client=client)
        with pytest.raises(ResponseFailedError, match="retrieval_unavailable"):
            llm.complete("Where does the bear fish?")
        deltas: list[str] = []
        with pytest.raises(ResponseFailedError):
            for part in llm.stream_chat([ChatMessage(role="user", content="Where does the bear fish?")]):
                deltas.append(part.delta or "")
        assert deltas == ["The"]


def test_item_selection_per_call_narrows_the_answer(hosted: Hosted) -> None:
    llm = TwelveLabsResponses(hosted.ks, **hosted.kw())
    question = [ChatMessage(role="user", content="What happens with the fox and the ducks?")]
    both = llm.chat(question)
    assert {c["item_id"] for c in both.additional_kwargs["citations"]} == {hosted.items["wildlife.mp4"],
                                                                          hosted.items["park.mp4"]}
    before = len(hosted.fake.calls(RESPONSES))
    park = llm.chat(question, selections=[hosted.items["park.mp4"]])
    assert hosted.fake.calls(RESPONSES)[before].json["selections"] == [{"kind": "item", "id": hosted.items["park.mp4"]}]
    _check_citations(hosted, park.message.content, park.additional_kwargs["citations"])
    assert {c["item_id"] for c in park.additional_kwargs["citations"]} == {hosted.items["park.mp4"]}
