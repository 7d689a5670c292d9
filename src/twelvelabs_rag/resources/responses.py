"""``POST /responses``: answers from a knowledge store, with citations, whole or streamed (SSE).

``input`` is a string (one user message) or a list of messages/strings; ``selections`` narrow the
answer to items or item collections (``"ksi_..."`` / ``"ksic_..."`` ids, or ``{"kind", "id"}``
mappings), referenced in the text as ``{{sel:N}}``. Pass the returned ``session_id`` to continue the
conversation.

```python
answer = client.responses.create(knowledge_store_id=ks.id, input="Where does the fox run?")
print(answer.output_text, [(a.item_id, a.start_sec, a.end_sec) for a in answer.annotations])
follow = client.responses.create(knowledge_store_id=ks.id, input="And after that?", session_id=answer.session_id)
for event in client.responses.create(knowledge_store_id=ks.id, input="Describe it", stream=True):
    print(getattr(event, "delta", ""), end="")
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._request import RequestSpec
from .._sse import AsyncResponseStream, ResponseStream, event_stream_error
from ..types.responses import ResponseObject
from ._resource import AsyncResource, SyncResource, call_args, check_id, parse_model

__all__ = ["Responses", "AsyncResponses", "response_body"]

MAX_CONTENT_CHARS = 10_000
InputLike = str | Sequence[str | Mapping[str, Any]]


def _message(item: str | Mapping[str, Any], i: int) -> dict[str, Any]:
    msg = {"type": "message", "role": "user", "content": item} if isinstance(item, str) else dict(item)
    content = msg.get("content")
    if msg.get("type", "message") != "message" or msg.get("role", "user") != "user":
        raise ValueError(f"input[{i}] must be a user message ({{'type': 'message', 'role': 'user', 'content': ...}}), "
                         f"got {item!r}")
    if not isinstance(content, str) or not 1 <= len(content) <= MAX_CONTENT_CHARS:
        size = len(content) if isinstance(content, str) else type(content).__name__
        raise ValueError(f"input[{i}] content must be a string of 1 to {MAX_CONTENT_CHARS} characters (got {size}); "
                         "shorten the question or split it over several turns of one session")
    msg.setdefault("type", "message")
    msg.setdefault("role", "user")
    return msg


def _selection(sel: str | Mapping[str, Any], i: int) -> dict[str, Any]:
    if isinstance(sel, str):
        check_id(f"selections[{i}]", sel)
        return {"kind": "collection" if sel.startswith("ksic_") else "item", "id": sel}
    if not isinstance(sel, Mapping) or sel.get("kind") not in ("item", "collection") or not sel.get("id"):
        raise ValueError(f"selections[{i}] must be an item/collection id or "
                         f"{{'kind': 'item'|'collection', 'id': ...}}, got {sel!r}")
    return dict(sel)


def response_body(knowledge_store_id: str, input: InputLike, session_id: str | None, instructions: str | None,
                  include: Sequence[str] | None, selections: Sequence[str | Mapping[str, Any]] | None,
                  text: Mapping[str, Any] | None, stream: bool) -> dict[str, Any]:
    """The JSON body of ``POST /responses`` (pure); unset fields are left out."""
    check_id("knowledge_store_id", knowledge_store_id)
    items: list[str | Mapping[str, Any]] = [input] if isinstance(input, str) else list(input)
    if not items:
        raise ValueError("input is empty; pass the question as a string, e.g. input='What happens at the market?'")
    body: dict[str, Any] = {"knowledge_store_id": knowledge_store_id,
                            "input": [_message(m, i) for i, m in enumerate(items)]}
    if session_id is not None:
        body["session_id"] = check_id("session_id", session_id)
    if instructions is not None:
        body["instructions"] = instructions
    if include is not None:
        body["include"] = [include] if isinstance(include, str) else list(include)
    if selections is not None:
        body["selections"] = [_selection(s, i) for i, s in enumerate(selections)]
    if text is not None:
        body["text"] = dict(text)
    body["stream"] = bool(stream)
    return body


def _spec(**kw: Any) -> RequestSpec:
    return RequestSpec("POST", "responses", json=response_body(**kw), stream=bool(kw["stream"]))


class Responses(SyncResource):
    """``client.responses``."""

    def create(self, *, knowledge_store_id: str, input: InputLike, session_id: str | None = None,
               instructions: str | None = None, include: Sequence[str] | None = None,
               selections: Sequence[str | Mapping[str, Any]] | None = None, text: Mapping[str, Any] | None = None,
               stream: bool = False) -> ResponseObject | ResponseStream:
        """Answer from a knowledge store; ``stream=True`` returns a :class:`ResponseStream` of typed events."""
        response = self._client._request(_spec(**call_args(locals())))
        if not stream:
            return parse_model(ResponseObject, response)
        error = event_stream_error(response)
        if error is not None:
            response.close()
            raise error
        return ResponseStream(response)


class AsyncResponses(AsyncResource):
    """``client.responses`` of the async client."""

    async def create(self, *, knowledge_store_id: str, input: InputLike, session_id: str | None = None,
                     instructions: str | None = None, include: Sequence[str] | None = None,
                     selections: Sequence[str | Mapping[str, Any]] | None = None,
                     text: Mapping[str, Any] | None = None,
                     stream: bool = False) -> ResponseObject | AsyncResponseStream:
        """Answer from a knowledge store; ``stream=True`` returns an :class:`AsyncResponseStream` of typed events."""
        response = await self._client._request(_spec(**call_args(locals())))
        if not stream:
            return parse_model(ResponseObject, response)
        error = event_stream_error(response)
        if error is not None:
            await response.aclose()
            raise error
        return AsyncResponseStream(response)
