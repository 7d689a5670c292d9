"""Hosted RAG through LangChain against the emulator: knowledge-store retrieval, Responses chat (sessions,
streaming, citations), checked against the clip scripts of ``tests/hosted`` (twelvelabs_rag.testing.samples)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from langchain_twelvelabs import ChatTwelveLabsResponses, TwelveLabsKnowledgeStoreRetriever, format_citation
from twelvelabs_rag import BadRequestError, ConfigurationError, NotFoundError, StreamCutError
from twelvelabs_rag.testing import parse_script

SEARCH = "POST /knowledge-stores/{knowledge_store_id}/search"
RESPONSES = "POST /responses"


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def _scene(world: Any, item_id: str, start: float, end: float) -> Any:
    name = next(n for n, i in world.items.items() if i == item_id)
    return next(s for s in parse_script(world.scripts[name]) if (s.start, s.end) == (start, end))


def _check_citations(world: Any, text: str, citations: list[dict[str, Any]]) -> None:
    assert citations, f"no citations for {text!r}"
    for c in citations:
        assert c["item_id"] in world.items.values()
        assert c["quote"] == text[c["start_index"]: c["end_index"] + 1]
        scene = _scene(world, c["item_id"], c["start"], c["end"])  # the time range is a real scene of that item
        assert _words(c["quote"]) <= _words(scene.text), (c["quote"], scene.text)


# ---------------------------------------------------------------------------------------------- retriever
def test_retrieved_moments_contain_the_query_words(hosted_world: Any) -> None:
    retriever = TwelveLabsKnowledgeStoreRetriever(knowledge_store_id=hosted_world.knowledge_store_id, k=5,
                                                  **hosted_world.clients_kw())
    docs = retriever.invoke("eagle ducks")
    assert {d.metadata["filename"] for d in docs} == {"wildlife.mp4", "park.mp4"}
    for doc in docs:
        meta = doc.metadata
        scene = _scene(hosted_world, meta["item_id"], meta["start"], meta["end"])
        assert _words(scene.text) & {"eagle", "ducks"}
        assert meta["asset_id"] == hosted_world.assets[meta["filename"]]
        assert set(meta["modalities"]) <= {"visual", "audio"} and meta["modalities"]
        assert doc.id == f"{meta['item_id']}@{meta['start']:.3f}-{meta['end']:.3f}"
    eagle = next(d for d in docs if "eagle" in _words(d.page_content))
    assert format_citation(eagle) == "[wildlife.mp4 00:04-00:08]"


def test_pages_are_followed_up_to_k(hosted_world: Any) -> None:
    fake = hosted_world.fake
    retriever = TwelveLabsKnowledgeStoreRetriever(knowledge_store_id=hosted_world.knowledge_store_id, k=3,
                                                  page_size=1, fetch_item_details=False, **hosted_world.clients_kw())
    before = len(fake.calls(SEARCH))
    docs = retriever.invoke("a fox, an eagle, a taxi and ducks")
    calls = fake.calls(SEARCH)[before:]
    assert len(docs) == 3 and len({d.id for d in docs}) == 3
    assert len(calls) == 3 and calls[0].json["page_size"] == 1 and calls[1].json["page_token"]
    assert all(d.metadata["asset_id"] is None for d in docs)  # no item lookups when asked not to


async def test_async_retrieval_matches_sync(hosted_world: Any) -> None:
    retriever = TwelveLabsKnowledgeStoreRetriever(knowledge_store_id=hosted_world.knowledge_store_id, k=4,
                                                  **hosted_world.clients_kw())
    sync = retriever.invoke("football goal pond")
    asynced = await retriever.ainvoke("football goal pond")
    assert [d.id for d in asynced] == [d.id for d in sync] and sync
    assert all(d.metadata["filename"] == "park.mp4" for d in sync)


def test_retriever_errors_are_typed(hosted_world: Any) -> None:
    kw = hosted_world.clients_kw()
    with pytest.raises(ConfigurationError, match="Empty query"):
        TwelveLabsKnowledgeStoreRetriever(knowledge_store_id=hosted_world.knowledge_store_id, **kw).invoke("  ")
    with pytest.raises(ConfigurationError, match="Unknown arguments"):
        TwelveLabsKnowledgeStoreRetriever(knowledge_store_id=hosted_world.knowledge_store_id, **kw).invoke(
            "fox", modality=["audio"])
    with pytest.raises(NotFoundError):
        TwelveLabsKnowledgeStoreRetriever(knowledge_store_id="ks_000000000000000000000000", **kw).invoke("fox")


# ---------------------------------------------------------------------------------------------- chat model
def _chat(world: Any, **kw: Any) -> ChatTwelveLabsResponses:
    return ChatTwelveLabsResponses(knowledge_store_id=world.knowledge_store_id, **world.clients_kw(), **kw)


def test_citations_point_at_items_and_time_ranges_holding_the_quoted_words(hosted_world: Any) -> None:
    answer = _chat(hosted_world).invoke("Where does the bear fish?")
    citations = answer.response_metadata["citations"]
    _check_citations(hosted_world, answer.text, citations)
    assert citations[0]["item_id"] == hosted_world.items["wildlife.mp4"]
    assert (citations[0]["start"], citations[0]["end"]) == (8.0, 12.0)
    assert format_citation(citations[0]) == "[wildlife.mp4 00:08-00:12]"
    assert answer.usage_metadata["output_tokens"] > 0


def test_second_turn_continues_the_session_of_the_first(hosted_world: Any) -> None:
    fake, chat = hosted_world.fake, _chat(hosted_world)
    first = chat.invoke("Where does the bear fish?")
    session = first.response_metadata["session_id"]
    before = len(fake.calls(RESPONSES))
    second = chat.invoke([SystemMessage("Be brief."), HumanMessage("Where does the bear fish?"), first,
                          HumanMessage("And what else?")])
    (call,) = fake.calls(RESPONSES)[before:]
    assert call.json["session_id"] == session and second.response_metadata["session_id"] == session
    assert [m["content"] for m in call.json["input"]] == ["And what else?"]  # the session holds the first turn
    assert call.json["instructions"] == "Be brief."
    # "And what else?" finds nothing by itself: the answer comes from the first turn's question
    assert "bear" in second.text and "Where does the bear fish?" in second.text
    _check_citations(hosted_world, second.text, second.response_metadata["citations"])


def test_streaming_is_token_by_token_in_order_with_citations_last(hosted_world: Any) -> None:
    chat = _chat(hosted_world)
    whole = chat.invoke("Tell me about the fox")
    chunks = list(chat.stream("Tell me about the fox"))
    texts = [c.text for c in chunks if c.text]
    assert len(texts) > 5 and "".join(texts) == whole.text
    assert chunks[-1].chunk_position == "last" and not chunks[-1].text
    assert all(not c.response_metadata.get("citations") for c in chunks[:-1])
    merged = chunks[0]
    for c in chunks[1:]:
        merged += c
    assert merged.response_metadata["citations"] == whole.response_metadata["citations"]
    _check_citations(hosted_world, merged.text, merged.response_metadata["citations"])


async def test_async_chat_stream_and_session(hosted_world: Any) -> None:
    chat = _chat(hosted_world)
    first = await chat.ainvoke("Where do the ducks swim?")
    _check_citations(hosted_world, first.text, first.response_metadata["citations"])
    assert first.response_metadata["citations"][0]["item_id"] == hosted_world.items["park.mp4"]
    pieces = [c async for c in chat.astream([HumanMessage("Where do the ducks swim?"), first,
                                             HumanMessage("Tell me more")])]
    text = "".join(c.text for c in pieces)
    assert "ducks" in text and pieces[-1].response_metadata["session_id"] == first.response_metadata["session_id"]


def test_stop_sequence_cuts_the_text_and_the_citations_past_it(hosted_world: Any) -> None:
    answer = _chat(hosted_world).invoke("Where does the bear fish?", stop=["\n"])
    assert "\n" not in answer.text and answer.response_metadata["finish_reason"] == "stop"
    assert answer.response_metadata["citations"] == []  # every quote came after the cut
    streamed = "".join(c.text for c in _chat(hosted_world, stop=["\n"]).stream("Where does the bear fish?"))
    assert streamed == answer.text


def test_collection_selection_narrows_and_marks_the_citations(hosted_world: Any) -> None:
    client, ks = hosted_world.fake.client(), hosted_world.knowledge_store_id
    coll = client.knowledge_stores.item_collections.create(ks, name=f"park-only-{id(client)}")
    client.knowledge_stores.item_collections.add_items(ks, coll.id, [hosted_world.items["park.mp4"]])
    answer = _chat(hosted_world, selections=[coll.id]).invoke("What happens on the grass and in the snow?")
    citations = answer.response_metadata["citations"]
    _check_citations(hosted_world, answer.text, citations)
    assert {c["item_id"] for c in citations} == {hosted_world.items["park.mp4"]}
    assert {c["collection_id"] for c in citations} == {coll.id}


def test_chat_errors_are_typed(hosted_world: Any) -> None:
    chat = _chat(hosted_world)
    with pytest.raises(ConfigurationError, match="tool"):
        chat.invoke([HumanMessage("hi"), ToolMessage("x", tool_call_id="1")])
    with pytest.raises(ConfigurationError, match="must end with a user message"):
        chat.invoke([HumanMessage("hi"), AIMessage("hello", response_metadata={"session_id": "sess_x"})])
    with pytest.raises(ConfigurationError, match="Unknown arguments"):
        chat.invoke("hi", temperature=0.2)
    with pytest.raises(BadRequestError, match="does not exist"):  # POST /responses answers 400 resource_not_exist
        ChatTwelveLabsResponses(knowledge_store_id="ks_000000000000000000000000",
                                **hosted_world.clients_kw()).invoke("fox")


def test_a_cut_stream_raises_after_the_tokens_it_delivered(hosted_world: Any) -> None:
    hosted_world.fake.cut_stream_next()
    got: list[str] = []
    with pytest.raises(StreamCutError):
        for chunk in _chat(hosted_world).stream("Tell me about the fox"):
            got.append(chunk.text)
    assert got and all(isinstance(t, str) for t in got)


# ---------------------------------------------------------------------------------------------- a failed answer
def _failing_transport() -> Any:
    """``POST /responses`` answering ``status: failed`` (JSON), or streaming two deltas then ``response.failed``."""
    import json

    import httpx

    failed = {"id": "resp_1", "object": "response", "status": "failed", "session_id": "sess_1", "output": [],
              "knowledge_store_id": "ks_1", "incomplete_details": {"reason": "retrieval_unavailable"}}

    def handler(request: httpx.Request) -> httpx.Response:
        if not json.loads(request.content)["stream"]:
            return httpx.Response(200, json=failed)
        events = [("response.output_text.delta", {"delta": "The "}), ("response.output_text.delta", {"delta": "bear"}),
                  ("response.failed", {"response": failed})]
        body = "".join(f"event: {kind}\ndata: {json.dumps({'type': kind, 'sequence_number': i, **data})}\n\n"
                       for i, (kind, data) in enumerate(events)) + "data: [DONE]\n\n"
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handler)


def test_a_failed_answer_raises_instead_of_answering_nothing() -> None:
    from langchain_twelvelabs.responses import ResponseFailedError
    from twelvelabs_rag import TwelveLabs

    with TwelveLabs("tlk_test", base_url="http://tl.test/v1.3", transport=_failing_transport(),
                    max_retries=0) as client:
        chat = ChatTwelveLabsResponses(knowledge_store_id="ks_1", client=client)
        with pytest.raises(ResponseFailedError, match="retrieval_unavailable") as err:
            chat.invoke("Where does the bear fish?")
        assert "tlk_test" not in str(err.value)
        got: list[str] = []
        with pytest.raises(ResponseFailedError):
            for chunk in chat.stream("Where does the bear fish?"):
                got.append(chunk.text)
        assert "".join(got) == "The bear"  # the tokens before the failure were delivered


def test_an_image_item_is_one_document_without_a_time_range(tmp_path: Any) -> None:
    from twelvelabs_rag.testing.samples import make_image

    from .conftest import hosted_fake

    fake = hosted_fake(seed=29)
    client = fake.client()
    ks = client.knowledge_stores.create(name="images").id
    asset = fake.add_asset(make_image(tmp_path / "bridge.png", "a stone bridge over a river at sunset"))
    item = client.knowledge_stores.items.create_and_wait(ks, asset_id=asset, poll_interval=0)
    (doc,) = TwelveLabsKnowledgeStoreRetriever(knowledge_store_id=ks, client=client).invoke("a stone bridge")
    assert doc.id == item.id and doc.metadata["asset_type"] == "image"
    assert doc.metadata["start"] is None and doc.metadata["end"] is None
    assert format_citation(doc) == "[bridge.png]"
    answer = ChatTwelveLabsResponses(knowledge_store_id=ks, client=client).invoke("Where is the stone bridge?")
    (citation,) = answer.response_metadata["citations"]
    assert citation["item_id"] == item.id and citation["type"] == "image_citation"
    assert format_citation(citation) == "[bridge.png]"


async def test_streaming_callbacks_see_every_token_sync_and_async(hosted_world: Any) -> None:
    from langchain_core.callbacks import BaseCallbackHandler

    class Tokens(BaseCallbackHandler):
        def __init__(self) -> None:
            self.tokens: list[str] = []

        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            self.tokens.append(token)

    chat = _chat(hosted_world, streaming=True)
    sync_handler, async_handler = Tokens(), Tokens()
    answer = chat.invoke("Tell me about the fox", config={"callbacks": [sync_handler]})  # streams inside invoke
    again = await chat.ainvoke("Tell me about the fox", config={"callbacks": [async_handler]})
    assert len(sync_handler.tokens) > 5 and "".join(sync_handler.tokens) == answer.text
    assert "".join(async_handler.tokens) == again.text == answer.text
    _check_citations(hosted_world, answer.text, answer.response_metadata["citations"])
