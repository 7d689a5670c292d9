"""Hosted RAG for the framework packages: Responses requests and citations, knowledge-store moments.

Framework-neutral, once for LangChain and LlamaIndex (each wraps the results in its own message,
Document or node types):

- :func:`responses_request` turns a conversation (``(role, text, session_id)`` turns, roles
  ``system``/``user``/``assistant``) into ``client.responses.create`` keywords: only the user turns
  after the latest answer that carries a session are sent, with that session
  (:func:`split_conversation`); :func:`check_answer` raises :class:`ResponseFailedError` on a failed
  answer; :func:`citations` maps the answer's annotations to dicts with the quoted words.
- :func:`search_moments` / :func:`asearch_moments` page ``client.knowledge_stores.query`` until ``k``
  moments (one per matching time range of a video item, one per image item), with each item's
  ``asset_id``/``filename`` looked up once: each moment is ``{"id", "text", "rank", "metadata"}``.

```python
from twelvelabs_rag.hosted_rag import responses_request
request = responses_request("ks_1", [("system", "Be brief.", None), ("user", "Hi", None),
                                     ("assistant", "Hello", "sess_1"), ("user", "More?", None)], stream=False)
assert (request["input"], request["session_id"], request["instructions"]) == (["More?"], "sess_1", "Be brief.")
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._exceptions import ConfigurationError, TwelveLabsError
from .moments import clip_id, format_timestamp

__all__ = [
    "MODEL_NAME", "ResponseFailedError", "check_answer", "citations", "split_conversation", "responses_request",
    "moment_id", "hit_moments", "describe_moment", "search_moments", "asearch_moments",
]

#: What tracing and response metadata call the Responses endpoint (it takes no model).
MODEL_NAME = "twelvelabs-responses"

Turn = tuple[str, str, "str | None"]


class ResponseFailedError(TwelveLabsError):
    """The Responses service reported the answer as ``failed`` (``status``, or a ``response.failed`` event)."""


def check_answer(response: Any) -> Any:
    """The response, or :class:`ResponseFailedError` when its status is ``failed`` (never an empty answer)."""
    if response.status == "failed":
        details = response.incomplete_details or {}
        reason = details.get("reason") or details.get("message") or "no reason given"
        raise ResponseFailedError(f"The Responses answer {response.id or ''} failed ({reason}); ask again, with the "
                                  "same session_id to keep the conversation")
    return response


def citations(text: str, annotations: Sequence[Any], knowledge_store_id: str | None) -> list[dict[str, Any]]:
    """The annotations over ``text`` as dicts: ``item_id``, ``collection_id``, ``start``/``end`` (seconds),
    ``title``, ``thumbnail_url``, ``start_index``/``end_index`` and ``quote`` (the cited words).

    Annotations that point past ``text`` (cut by a stop sequence) are left out.

    Example:
        ```python
        from twelvelabs_rag.hosted_rag import citations
        from twelvelabs_rag.types.responses import Annotation
        ann = Annotation(type="video_citation", start_index=4, end_index=7, item_id="ksi_1", start_sec=8, end_sec=12)
        (c,) = citations("The bear fishes", [ann], "ks_1")
        assert (c["quote"], c["start"], c["end"]) == ("bear", 8, 12)
        ```
    """
    return [{"type": a.type, "item_id": a.item_id, "collection_id": a.collection_id, "start": a.start_sec,
             "end": a.end_sec, "title": a.title, "thumbnail_url": a.thumbnail_url, "start_index": a.start_index,
             "end_index": a.end_index, "quote": text[a.start_index: a.end_index + 1],
             "knowledge_store_id": knowledge_store_id}
            for a in annotations if 0 <= a.start_index <= a.end_index < len(text)]


def split_conversation(turns: Sequence[Turn]) -> tuple[list[str], str | None, str | None]:
    """``(role, text, session_id)`` turns -> ``(user inputs, session_id, instructions)``.

    When an assistant turn carries the session id of an earlier answer, the service already holds
    everything up to it: only the user turns after the latest such answer are sent, with that
    session. Without one, a conversation that has assistant turns is folded into one user message
    holding the transcript, so no earlier turn is lost. System turns become the instructions.
    """
    system = [text for role, text, _ in turns if role == "system" and text.strip()]
    rest = [(role, text, sid) for role, text, sid in turns if role != "system" and text.strip()]
    session_at = max((i for i, (role, _, sid) in enumerate(rest) if role == "assistant" and sid), default=None)
    session = rest[session_at][2] if session_at is not None else None
    tail = rest[session_at + 1:] if session_at is not None else rest
    instructions = "\n\n".join(system) or None
    if not any(role == "user" for role, _, _ in tail):
        raise ConfigurationError("the conversation must end with a user message after the last answer: "
                                 "append the next question as a user message")
    if all(role == "user" for role, _, _ in tail):
        return [text for _, text, _ in tail], session, instructions
    transcript = "\n".join(f"{'User' if role == 'user' else 'Assistant'}: {text}" for role, text, _ in tail)
    return [transcript], session, instructions


def responses_request(
    knowledge_store_id: str,
    turns: Sequence[Turn],
    *,
    stream: bool,
    session_id: str | None = None,
    default_session_id: str | None = None,
    instructions: str | None = None,
    include: Sequence[str] | None = None,
    selections: Sequence[Any] | None = None,
    text: Any = None,
) -> dict[str, Any]:
    """``client.responses.create`` keywords for a conversation.

    The session is ``session_id`` (this call's), else the one of the latest answer in ``turns``, else
    ``default_session_id`` (the component's); ``instructions`` and the system turns are joined.
    """
    inputs, history_session, system = split_conversation(turns)
    return {
        "knowledge_store_id": knowledge_store_id,
        "input": inputs,
        "session_id": session_id or history_session or default_session_id,
        "instructions": "\n\n".join(x for x in (instructions, system) if x) or None,
        "include": list(include) if include is not None else None,
        "selections": list(selections) if selections is not None else None,
        "text": text,
        "stream": stream,
    }


# ---------------------------------------------------------------------- knowledge-store search
def moment_id(item_id: str, start: float | None, end: float | None) -> str:
    """A stable id per moment: ``twelvelabs_rag.moments.clip_id`` of the item (the item id alone for an image)."""
    if start is None or end is None:
        return item_id
    return clip_id(item_id, start, end)


def hit_moments(hit: Any) -> list[dict[str, Any]]:
    """One record per matching moment of a video hit, or one for an image hit (no time range)."""
    base = {"item_id": hit.item_id, "asset_type": hit.asset_type, "rank": hit.rank}
    if not hit.matches:
        return [{**base, "start": None, "end": None, "modalities": ["visual"], "text": None}]
    return [{**base, "start": float(m.start_sec), "end": float(m.end_sec), "modalities": list(m.modalities),
             "text": (m.transcription or "").strip() or None} for m in hit.matches]


def describe_moment(record: Mapping[str, Any], name: str) -> str:
    """A readable line for a moment without transcript text (what the search matched, and where)."""
    if record.get("start") is None:
        return f"Image item {name} (matched: {', '.join(record['modalities'])})."
    return (f"Moment of {name} from {format_timestamp(record['start'])} to {format_timestamp(record['end'])} "
            f"(matched: {', '.join(record['modalities'])}).")


def _moment(knowledge_store_id: str, rec: Mapping[str, Any], item: Any) -> dict[str, Any]:
    filename = ((item.system_metadata or {}).get("filename") if item is not None else None)
    metadata = {"knowledge_store_id": knowledge_store_id, "item_id": rec["item_id"], "asset_type": rec["asset_type"],
                "asset_id": item.asset_id if item is not None else None, "filename": filename,
                "start": rec["start"], "end": rec["end"], "modalities": rec["modalities"], "rank": rec["rank"]}
    return {"id": moment_id(rec["item_id"], rec["start"], rec["end"]), "rank": rec["rank"], "metadata": metadata,
            "text": rec["text"] or describe_moment(rec, filename or rec["item_id"])}


def search_moments(client: Any, knowledge_store_id: str, query: str, *, k: int, items: dict[tuple[str, str], Any],
                   fetch_item_details: bool = True, **params: Any) -> list[dict[str, Any]]:
    """The first ``k`` moments of ``client.knowledge_stores.query(knowledge_store_id, query, **params)``.

    ``items`` caches item details per ``(knowledge_store_id, item_id)`` across calls (filled here
    when ``fetch_item_details``).
    """
    records: list[dict[str, Any]] = []
    for hit in client.knowledge_stores.query(knowledge_store_id, query, **params):
        records.extend(hit_moments(hit))
        if len(records) >= k:
            break
    records = records[:k]
    if fetch_item_details:
        for item_id in dict.fromkeys(r["item_id"] for r in records):
            if (knowledge_store_id, item_id) not in items:
                items[(knowledge_store_id, item_id)] = client.knowledge_stores.items.retrieve(knowledge_store_id,
                                                                                              item_id)
    return [_moment(knowledge_store_id, r, items.get((knowledge_store_id, r["item_id"]))) for r in records]


async def asearch_moments(aclient: Any, knowledge_store_id: str, query: str, *, k: int,
                          items: dict[tuple[str, str], Any], fetch_item_details: bool = True,
                          **params: Any) -> list[dict[str, Any]]:
    """Async twin of :func:`search_moments` (``aclient`` is an ``AsyncTwelveLabs``)."""
    records: list[dict[str, Any]] = []
    async for hit in aclient.knowledge_stores.query(knowledge_store_id, query, **params):
        records.extend(hit_moments(hit))
        if len(records) >= k:
            break
    records = records[:k]
    if fetch_item_details:
        for item_id in dict.fromkeys(r["item_id"] for r in records):
            if (knowledge_store_id, item_id) not in items:
                items[(knowledge_store_id, item_id)] = await aclient.knowledge_stores.items.retrieve(
                    knowledge_store_id, item_id)
    return [_moment(knowledge_store_id, r, items.get((knowledge_store_id, r["item_id"]))) for r in records]
