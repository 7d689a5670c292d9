"""Issue 12 §4: a RAG chain answers from a retrieved moment by asking Pegasus about that window, in both flows.

The retriever finds the moment; the chain binds Pegasus to the moment's video (``asset_id`` on the
current flow, ``video_id`` on the classic one) with ``start_time``/``end_time`` set to the moment, and
the answer's timestamped citations are checked against the clips' scripts.
"""

from __future__ import annotations

import re

from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough

from langchain_twelvelabs import ChatTwelveLabsPegasus, TwelveLabsSearchRetriever, format_citation
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS

PROMPT = ChatPromptTemplate.from_messages([("human", "{question}")])
SCENE = re.compile(r"\[(\d+)-(\d+)\]\s*([^|\n]+)")


def moment_binding(doc) -> dict:
    """The Pegasus binding for a retrieved moment: its asset (current) or video (classic), and its window."""
    meta = doc.metadata
    where = {"asset_id": meta["asset_id"]} if meta["api_shape"] == "current" else {"video_id": meta["video_id"]}
    return {**where, "start_time": meta["start"], "end_time": meta["end"]}


def build_moment_chain(retriever, chat):
    def ask(inputs: dict):
        best = inputs["docs"][0]
        answer = (PROMPT | chat.bind(**moment_binding(best)) | StrOutputParser()).invoke(inputs)
        return {"answer": answer, "citation": format_citation(best), "moment": best}

    return RunnableParallel(docs=retriever, question=RunnablePassthrough()) | RunnableLambda(ask)


def scenes_of(filename: str) -> list[tuple[int, int, str]]:
    return [(int(a), int(b), text.strip()) for a, b, text in SCENE.findall(DEMO_SCRIPTS[filename])]


def test_the_chain_answers_from_the_retrieved_moment_in_both_flows(any_world) -> None:
    world = any_world
    retriever = TwelveLabsSearchRetriever(index_id=world.index_id, k=2, **world.clients_kw())
    chain = build_moment_chain(retriever, ChatTwelveLabsPegasus(**world.clients_kw()))

    out = chain.invoke("What is the brown bear catching in the river?")
    moment = out["moment"]
    assert moment.metadata["filename"] == "wildlife.mp4"
    # The citation names a real scene of the clip's script.
    name, m1, s1, m2, s2 = re.fullmatch(r"\[(\S+) (\d\d):(\d\d)-(\d\d):(\d\d)\]", out["citation"]).groups()
    window = (int(m1) * 60 + int(s1), int(m2) * 60 + int(s2))
    scenes = scenes_of(name)
    assert any((a, b) == window for a, b, _ in scenes), f"{window} is not a scene of {name}"

    # Pegasus was asked about exactly that asset's window, the right way for the flow.
    body = [r for r in world.fake.requests if r.path.endswith("/analyze")][-1].json
    assert (body["start_time"], body["end_time"]) == window
    if moment.metadata["api_shape"] == "current":
        assert body["video"] == {"type": "asset_id", "asset_id": world.assets["wildlife.mp4"]}
        assert body["model_name"] == "pegasus1.5" and "video_id" not in body
        assert moment.metadata["score"] is None and moment.metadata["rank"] == 1
    else:
        assert body["video_id"] == world.videos["wildlife.mp4"] and body["model_name"] == "pegasus1.2"

    # The answer describes only scenes inside the window, with their timestamps.
    inside = [s for s in scenes if s[1] > window[0] and s[0] < window[1]]
    outside = [s for s in scenes if s not in inside]
    assert "salmon" in out["answer"] and inside and outside, out
    for a, b, _ in inside:
        assert f"from {a}s to {b}s" in out["answer"]
    for a, b, _ in outside:
        assert f"from {a}s to {b}s" not in out["answer"]


async def test_the_chain_answers_from_the_moment_async(any_world) -> None:
    world = any_world
    retriever = TwelveLabsSearchRetriever(index_id=world.index_id, k=1, **world.clients_kw())
    chain = build_moment_chain(retriever, ChatTwelveLabsPegasus(**world.clients_kw()))
    out = await chain.ainvoke("Where does the yellow taxi drive?")
    assert out["moment"].metadata["filename"] == "city.mp4" and "taxi" in out["answer"]
    body = [r for r in world.fake.requests if r.path.endswith("/analyze")][-1].json
    assert (body["start_time"], body["end_time"]) == (out["moment"].metadata["start"], out["moment"].metadata["end"])
