"""Server-Sent Events (``text/event-stream``) for ``POST /responses`` with ``stream=True``.

:class:`SSEDecoder` splits bytes into events in linear time: each byte is scanned once and a line
that spans many chunks is joined once, when its end arrives (CRLF, LF and CR line ends, a CR at
the end of one chunk followed by LF at the start of the next, comments, multi-line ``data``, one
leading space stripped from values, as the WHATWG event-stream rules say).

:class:`ResponseStream` / :class:`AsyncResponseStream` turn the events into typed models
(``types.responses``). The stream is complete after ``data: [DONE]`` or a terminal event
(``response.completed`` / ``response.failed``); a connection that ends before that, or in the middle of
an event, raises :class:`StreamCutError` (an :class:`APIConnectionError`) once the events received so
far have been yielded. Streams are never retried once the first byte arrived.

```python
from twelvelabs_rag._sse import SSEDecoder
dec = SSEDecoder()
assert dec.feed(b"event: ping\\ndata: {\\"a\\"") == []
(event,) = dec.feed(b": 1}\\r\\n\\r\\n")
assert (event.event, event.data) == ("ping", '{"a": 1}')
```
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import ValidationError

from ._exceptions import APIConnectionError, APIResponseValidationError
from ._policy import translate_transport_error
from .types.responses import EVENT_TYPES, TERMINAL_EVENT_TYPES, OutputTextDeltaEvent, ResponseEvent, ResponseObject

__all__ = ["SSEEvent", "SSEDecoder", "MAX_EVENT_BYTES", "StreamCutError", "ResponseStream", "AsyncResponseStream",
           "event_stream_error"]

_EOL = re.compile(rb"\r\n|\r|\n")


class StreamCutError(APIConnectionError):
    """The server's event stream stopped before its end (``[DONE]`` or a terminal event).

    The events received before the cut were delivered; the answer is incomplete. Send the request
    again (with the same ``session_id`` to stay in the conversation).
    """


@dataclass(frozen=True)
class SSEEvent:
    """One dispatched event: its ``event`` name (default ``message``), ``data``, ``id`` and ``retry``."""

    event: str
    data: str
    id: str | None = None
    retry: int | None = None


#: Largest event (its unterminated line plus its data lines) the decoder buffers before giving up.
MAX_EVENT_BYTES = 16 * 1024 * 1024


class SSEDecoder:
    """Incremental, linear-time event-stream parser: ``feed(bytes) -> [SSEEvent]``.

    Memory is bounded: an event larger than ``max_event_bytes`` raises APIResponseValidationError.
    """

    def __init__(self, max_event_bytes: int = MAX_EVENT_BYTES) -> None:
        self._max = max_event_bytes
        self._buffered = 0  # bytes of the event being assembled (pending line + data lines)
        self._pending: list[bytes] = []  # pieces of the current, unterminated line
        self._after_cr = False  # the previous chunk ended with CR: a leading LF belongs to it
        self._event = ""
        self._data: list[str] = []
        self._has_fields = False
        self._retry: int | None = None
        self.last_event_id: str | None = None

    def feed(self, chunk: bytes) -> list[SSEEvent]:
        out: list[SSEEvent] = []
        if not chunk:  # an empty read must not forget a CR waiting for its LF
            return out
        start = 1 if self._after_cr and chunk[:1] == b"\n" else 0
        self._after_cr = False
        for m in _EOL.finditer(chunk, start):
            line = chunk[start:m.start()]
            if self._pending:
                self._pending.append(line)
                line, self._pending = b"".join(self._pending), []
            self._buffered -= len(line) - (m.start() - start)  # the pending part now belongs to this line
            event = self._line(line.decode("utf-8", "replace"))
            if event is not None:
                out.append(event)
            start = m.end()
            if m.group() == b"\r" and start == len(chunk):
                self._after_cr = True
        if start < len(chunk):
            self._pending.append(chunk[start:])
            self._grow(len(chunk) - start)
        return out

    def _grow(self, n: int) -> None:
        self._buffered += n
        if self._buffered > self._max:
            raise APIResponseValidationError(
                f"a server-sent event exceeds {self._max} bytes without ending; the stream is not a Responses "
                "event stream (or max_event_bytes is too small for it).")

    @property
    def mid_event(self) -> bool:
        """Whether bytes of an undispatched event are buffered (a stream ending now was cut)."""
        return bool(self._pending) or self._has_fields

    def _line(self, line: str) -> SSEEvent | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None  # a comment
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        self._has_fields = True
        if name == "data":
            self._data.append(value)
            self._grow(len(value) + 1)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\x00" not in value:
                self.last_event_id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def _dispatch(self) -> SSEEvent | None:
        data, event, retry = self._data, self._event or "message", self._retry
        self._data, self._event, self._retry, self._has_fields, self._buffered = [], "", None, False, 0
        if not data:
            return None
        return SSEEvent(event, "\n".join(data), self.last_event_id, retry)


def event_stream_error(response: httpx.Response) -> APIResponseValidationError | None:
    """The error for a 2xx streaming answer that is not ``text/event-stream`` (None when it is one)."""
    ctype = response.headers.get("content-type", "")
    if ctype.split(";")[0].strip().lower() == "text/event-stream":
        return None
    return APIResponseValidationError(
        f"{response.request.method} {response.request.url.path} was asked to stream but answered with "
        f"content-type {ctype or 'none'!r}, not 'text/event-stream'; check that base_url points at the "
        "TwelveLabs API (a proxy may be rewriting the response).", response=response)


class _Events:
    """What both stream twins share: the response, event parsing, ``final`` and the end check."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        #: The response object of the terminal event (``response.completed`` / ``response.failed``).
        self.final: ResponseObject | None = None
        self.done = False
        self._last_seq: int | None = None
        self._deltas: list[str] = []

    def _parse(self, sse: SSEEvent) -> ResponseEvent | None:
        if sse.data.strip() == "[DONE]":
            self.done = True
            return None
        try:
            obj: Any = json.loads(sse.data)
        except ValueError as exc:
            raise APIResponseValidationError(
                f"a Responses stream event ({sse.event}) has data that is not JSON: {sse.data[:80]!r}",
                response=self.response, body=sse.data[:500]) from exc
        if not isinstance(obj, dict):
            raise APIResponseValidationError(f"a Responses stream event is not a JSON object: {obj!r:.80}",
                                             response=self.response, body=obj)
        kind = obj.get("type") or sse.event
        obj.setdefault("type", kind)
        try:
            event = EVENT_TYPES.get(str(kind), ResponseEvent).model_validate(obj)
        except ValidationError as exc:
            raise APIResponseValidationError(f"the Responses stream event {kind!r} has an unexpected shape: {exc}",
                                             response=self.response, body=obj) from exc
        if self._last_seq is not None and event.sequence_number <= self._last_seq:
            raise APIResponseValidationError(
                f"the Responses stream went back from sequence_number {self._last_seq} to {event.sequence_number} "
                f"({kind}); the stream is out of order.", response=self.response, body=obj)
        self._last_seq = event.sequence_number
        if isinstance(event, OutputTextDeltaEvent):
            self._deltas.append(event.delta)
        if event.type in TERMINAL_EVENT_TYPES:
            self.final = event.response  # type: ignore[attr-defined]
        return event

    def _events(self, events: list[SSEEvent]) -> Iterator[ResponseEvent]:
        for sse in events:
            event = self._parse(sse)
            if event is not None:
                yield event

    def _check_end(self, decoder: SSEDecoder) -> None:
        if self.done or (self.final is not None and not decoder.mid_event):
            return
        where = "in the middle of an event" if decoder.mid_event else "before its final event"
        raise StreamCutError(
            f"The Responses stream ended {where} (connection cut after sequence_number {self._last_seq}); "
            "the answer is incomplete. Send the request again (pass the same session_id to keep the conversation).",
            request=self.response.request)

    def _text(self) -> str:
        return self.final.output_text if self.final is not None and self.final.output else "".join(self._deltas)


class ResponseStream(_Events):
    """Iterator of typed Responses events; use as a context manager or iterate to the end.

    ```python
    with client.responses.create(knowledge_store_id=ks, input="What is the fox doing?", stream=True) as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                print(event.delta, end="")
    print(stream.final.annotations)
    ```
    """

    def __iter__(self) -> Iterator[ResponseEvent]:
        decoder = SSEDecoder()
        try:
            try:
                for chunk in self.response.iter_bytes():
                    yield from self._events(decoder.feed(chunk))
                    if self.done:
                        break
            except httpx.TransportError as exc:
                raise StreamCutError(str(translate_transport_error(exc, self.response.request)),
                                     request=self.response.request) from exc
        finally:
            self.response.close()
        self._check_end(decoder)

    def text(self) -> str:
        """Consume the stream; return the final answer text."""
        for _ in self:
            pass
        return self._text()

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> ResponseStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncResponseStream(_Events):
    """Async iterator of typed Responses events.

    ``async for event in await client.responses.create(..., stream=True)``.
    """

    async def __aiter__(self) -> AsyncIterator[ResponseEvent]:
        decoder = SSEDecoder()
        try:
            try:
                async for chunk in self.response.aiter_bytes():
                    for event in self._events(decoder.feed(chunk)):
                        yield event
                    if self.done:
                        break
            except httpx.TransportError as exc:
                raise StreamCutError(str(translate_transport_error(exc, self.response.request)),
                                     request=self.response.request) from exc
        finally:
            await self.response.aclose()
        self._check_end(decoder)

    async def text(self) -> str:
        """Consume the stream; return the final answer text."""
        async for _ in self:
            pass
        return self._text()

    async def close(self) -> None:
        await self.response.aclose()

    async def __aenter__(self) -> AsyncResponseStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
