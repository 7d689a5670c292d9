"""Pure mapping for hosted RAG: knowledge-store hits to moments, Responses annotations to citations.

Nothing here does I/O; the retriever and the chat model call these on what the client returned.

```python
from twelvelabs_rag.types.knowledge import KnowledgeStoreHit
from langchain_twelvelabs._hosted import hit_moments
hit = KnowledgeStoreHit(rank=1, item_id="ksi_1", matches=[{"start_sec": 4, "end_sec": 8, "modalities": ["audio"],
                                                           "transcription": "look, an eagle"}])
assert hit_moments(hit)[0]["text"] == "look, an eagle"
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from twelvelabs_rag import ConfigurationError, TwelveLabsError
from twelvelabs_rag.moments import clip_id, format_timestamp

__all__ = ["hit_moments", "moment_id", "citation_dicts", "split_conversation", "check_answer", "MODEL_NAME",
           "ResponseFailedError"]

#: What tracing and ``response_metadata["model_name"]`` call the Responses endpoint (it takes no model).
MODEL_NAME = "twelvelabs-responses"


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


def citation_dicts(text: str, annotations: Sequence[Any], knowledge_store_id: str | None) -> list[dict[str, Any]]:
    """The annotations over ``text`` as plain dicts (``start``/``end`` in seconds, ``quote`` the cited words).

    Annotations that point past ``text`` (cut by a stop sequence) are left out.
    """
    out = []
    for ann in annotations:
        if ann.start_index < 0 or ann.end_index >= len(text) or ann.end_index < ann.start_index:
            continue
        out.append({
            "type": ann.type, "item_id": ann.item_id, "collection_id": ann.collection_id,
            "start": ann.start_sec, "end": ann.end_sec, "title": ann.title, "thumbnail_url": ann.thumbnail_url,
            "start_index": ann.start_index, "end_index": ann.end_index,
            "quote": text[ann.start_index: ann.end_index + 1], "knowledge_store_id": knowledge_store_id,
        })
    return out


def split_conversation(turns: Sequence[tuple[str, str, str | None]]) -> tuple[list[str], str | None, str | None]:
    """``(role, text, session_id)`` turns -> ``(user inputs, session_id, instructions)`` for ``responses.create``.

    Roles are ``system``, ``user`` and ``assistant``. When an assistant turn carries the session id of
    an earlier answer, the service already holds everything up to it: only the user turns after the
    latest such answer are sent, with that session. Without one, a conversation that has assistant
    turns is folded into one user message holding the transcript, so no earlier turn is lost.

    ```python
    assert split_conversation([("user", "Hi", None), ("assistant", "Hello", "sess_1"), ("user", "More?", None)]) \
        == (["More?"], "sess_1", None)
    ```
    """
    system = [text for role, text, _ in turns if role == "system" and text.strip()]
    rest = [(role, text, sid) for role, text, sid in turns if role != "system" and text.strip()]
    session_at = max((i for i, (role, _, sid) in enumerate(rest) if role == "assistant" and sid), default=None)
    session = rest[session_at][2] if session_at is not None else None
    tail = rest[session_at + 1:] if session_at is not None else rest
    instructions = "\n\n".join(system) or None
    if not any(role == "user" for role, _, _ in tail):
        raise ConfigurationError("the conversation must end with a user message after the last answer: "
                         "append the next question as a HumanMessage / user ChatMessage")
    if all(role == "user" for role, _, _ in tail):
        return [text for _, text, _ in tail], session, instructions
    transcript = "\n".join(f"{'User' if role == 'user' else 'Assistant'}: {text}" for role, text, _ in tail)
    return [transcript], session, instructions
