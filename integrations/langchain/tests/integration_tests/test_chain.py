"""An LCEL RAG chain: retriever -> prompt with cited moments -> ChatTwelveLabsPegasus streaming the answer."""

from __future__ import annotations

import re

from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough

from langchain_twelvelabs import ChatTwelveLabsPegasus, TwelveLabsSearchRetriever, format_citation
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Answer from the video. Cite the moments you use exactly as they are written in brackets."),
        ("human", "Moments:\n{moments}\n\nQuestion: {question}"),
    ]
)


def _moments(docs) -> str:
    return "\n".join(f"{format_citation(d)} {d.page_content}" for d in docs)


def build_chain(retriever: TwelveLabsSearchRetriever, chat: ChatTwelveLabsPegasus):
    def answer(inputs: dict):
        # Ask Pegasus about the video of the best moment.
        video_id = inputs["docs"][0].metadata["video_id"]
        return PROMPT | chat.bind(video_id=video_id) | StrOutputParser()

    return RunnableParallel(docs=retriever, question=RunnablePassthrough()) | RunnablePassthrough.assign(
        moments=lambda x: _moments(x["docs"])
    ) | RunnableLambda(answer)


def test_chain_streams_an_answer_over_cited_real_clips(world) -> None:
    retriever = TwelveLabsSearchRetriever(index_id=world.index_id, k=3, threshold="none", **world.clients_kw())
    chat = ChatTwelveLabsPegasus(**world.clients_kw())
    chain = build_chain(retriever, chat)

    pieces = list(chain.stream("What is the brown bear catching in the river?"))
    answer = "".join(pieces)
    assert len(pieces) > 3, "the answer should arrive in several streamed pieces"
    assert "salmon" in answer

    # The prompt Pegasus received cites three moments, and each names a real clip of the index.
    analyze = [r for r in world.fake.requests if r.path.endswith("/analyze")][-1]
    body = analyze.json
    assert body["video_id"] == world.fox_video and body["stream"] is True
    cited = re.findall(r"\[(\S+) (\d\d):(\d\d)-(\d\d):(\d\d)\]", body["prompt"])
    assert len(cited) == 3
    for name, m1, s1, m2, s2 in cited:
        assert name in world.videos, f"{name} is not a video of the index"
        start, end = int(m1) * 60 + int(s1), int(m2) * 60 + int(s2)
        assert f"[{start}-{end}]" in DEMO_SCRIPTS[name], f"{name} has no clip {start}-{end}"
    assert cited[0][0] == "wildlife.mp4" and "the bear is fishing" in body["prompt"]


async def test_chain_astream(world) -> None:
    retriever = TwelveLabsSearchRetriever(index_id=world.index_id, k=2, **world.clients_kw())
    chain = build_chain(retriever, ChatTwelveLabsPegasus(**world.clients_kw()))
    pieces = [p async for p in chain.astream("Where does the yellow taxi drive?")]
    assert len(pieces) > 1 and "taxi" in "".join(pieces)
