"""The demo's framework steps: a LangChain retrieval chain and a LlamaIndex query engine.

Both use the integration packages (``langchain-twelvelabs``, ``llama-index-retrievers-twelvelabs`` and
``llama-index-llms-twelvelabs``), which are installed in the dev environment; without them the step fails
with an install hint.

Pegasus answers about the best retrieved moment: on the current flow it analyzes that moment's
*asset* (the hit's ``video_id`` is its indexed asset, mapped by ``twelvelabs_rag.flow.AssetIds``)
with ``start_time``/``end_time`` set to the moment; on the classic flow the indexed ``video_id``.
"""

from __future__ import annotations

import importlib
import textwrap
from typing import Any

from ._errors import CLIError
from ._output import span
from ._timeline import Hit

__all__ = ["langchain_answer", "llamaindex_answer", "PROMPT"]

PROMPT = (
    "Answer the question about this video in one or two sentences.\n"
    "Video search found these moments:\n{moments}\n\nQuestion: {question}"
)


def _answer_lines(answer: str) -> str:
    return textwrap.fill(answer, width=100, initial_indent="    A: ", subsequent_indent="       ")


def _cite(ctx: Any, label: str, meta: dict[str, Any]) -> str:
    """``[file mm:ss-mm:ss] - scene`` for a cited moment, which also goes on the timeline."""
    name = meta.get("filename") or ctx.name_of(meta.get("video_id", ""))
    start, end = float(meta.get("start") or 0), float(meta.get("end") or 0)
    ctx.hits.append(Hit(label, name, start, end, 1.0))
    scene = ctx.scene_at(name, start, end)
    return f"[{name} {span(start, end)}]" + (f" - {scene}" if scene else "")


def _need(module: str, package: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise CLIError(f"this step needs {package} ({exc}); install it with: pip install {package}") from exc


def _target(ctx: Any, meta: dict[str, Any]) -> dict[str, Any]:
    """What Pegasus analyzes for a retrieved moment: its asset and window (current) or its video_id (classic)."""
    if ctx.flow.analyze_by == "video_id":
        return {"video_id": meta["video_id"]}
    from ..flow import AssetIds

    ids = ctx.__dict__.setdefault("asset_ids", AssetIds())
    asset_id = ids.resolve(ctx.client, ctx.index_id, meta["video_id"])
    start, end = float(meta.get("start") or 0), float(meta.get("end") or 0)
    window = {"start_time": start, "end_time": end} if end - start >= 1 else {}
    return {"video": {"type": "asset_id", "asset_id": asset_id}, "model": ctx.flow.pegasus, **window}


def langchain_answer(ctx: Any, question: str) -> str:
    """Retriever -> prompt with the found moments -> Pegasus on the best video; prints cited moments."""
    lc = _need("langchain_twelvelabs", "langchain-twelvelabs")
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.runnables import RunnableLambda, RunnablePassthrough

    retriever = lc.TwelveLabsSearchRetriever(index_id=ctx.index_id, k=3, client=ctx.client)
    chat = lc.ChatTwelveLabsPegasus(client=ctx.client, temperature=0.2)

    def ask(inputs: dict[str, Any]) -> Any:
        docs = inputs["docs"]
        if not docs:
            raise CLIError(f"the retriever found no moments for {inputs['question']!r}")
        moments = "\n".join(f"- {lc.format_citation(d)} {d.page_content}" for d in docs)
        prompt = PROMPT.format(moments=moments, question=inputs["question"])
        return chat.invoke(prompt, **_target(ctx, docs[0].metadata))

    chain = {"docs": retriever, "question": RunnablePassthrough()} | RunnablePassthrough.assign(
        answer=RunnableLambda(ask) | StrOutputParser()
    )
    result = chain.invoke(question)
    answer = " ".join(result["answer"].split())
    ctx.essential(f"    Q: {question}")
    ctx.essential(_answer_lines(answer))
    ctx.essential("    cited moments:")
    for i, doc in enumerate(result["docs"], 1):
        ctx.essential(f"      [{i}] {_cite(ctx, 'LangChain citations', doc.metadata)}")
    ctx.answers["langchain"] = answer
    return answer


def llamaindex_answer(ctx: Any, question: str) -> str:
    """Retriever -> RetrieverQueryEngine with Pegasus bound to the best video, streamed; prints sources."""
    retrievers = _need("llama_index.retrievers.twelvelabs", "llama-index-retrievers-twelvelabs")
    llms = _need("llama_index.llms.twelvelabs", "llama-index-llms-twelvelabs")
    from llama_index.core.base.response.schema import StreamingResponse
    from llama_index.core.query_engine import RetrieverQueryEngine
    from llama_index.core.response_synthesizers import ResponseMode

    retriever = retrievers.TwelveLabsRetriever(
        ctx.index_id, client=ctx.client, similarity_top_k=3, search_options=("visual", "audio")
    )
    # A query engine hands the LLM only a prompt, so Pegasus is bound to the best-matching video first.
    top = retriever.retrieve(question)
    if not top:
        raise CLIError(f"the retriever found no moments for {question!r}")
    llm = _llamaindex_pegasus(llms, ctx, top[0].node.metadata)
    engine = RetrieverQueryEngine.from_args(retriever, llm=llm, response_mode=ResponseMode.SIMPLE_SUMMARIZE,
                                            streaming=True)
    response = engine.query(question)
    if not isinstance(response, StreamingResponse) or response.response_gen is None:
        raise CLIError(f"the query engine did not stream an answer (got {type(response).__name__})")
    parts = list(response.response_gen)  # streamed; joined here so the answer prints wrapped
    answer = " ".join("".join(parts).split())
    ctx.essential(f"    Q: {question}")
    ctx.essential(_answer_lines(answer))
    ctx.essential(f"    source moments ({len(parts)} streamed chunks):")
    for i, hit in enumerate(response.source_nodes, 1):
        ctx.essential(f"      [{i}] {_cite(ctx, 'LlamaIndex sources', hit.node.metadata)}")
    ctx.answers["llamaindex"] = answer
    return answer


def _llamaindex_pegasus(llms: Any, ctx: Any, meta: dict[str, Any]) -> Any:
    """``TwelveLabsPegasus`` bound to the best moment: its asset and window (current), or its video_id."""
    target = _target(ctx, meta)
    if "video_id" in target:
        return llms.TwelveLabsPegasus(video_id=target["video_id"], client=ctx.client, temperature=0.2)
    return llms.TwelveLabsPegasus(asset_id=target["video"]["asset_id"], model_name=target["model"],
                                  start_time=target.get("start_time"), end_time=target.get("end_time"),
                                  client=ctx.client, temperature=0.2)
