"""NDJSON streams (``POST /analyze`` with ``stream=True``) decoded into typed events.

One JSON object per line: ``stream_start``, then ``text_generation`` fragments, then
``stream_end`` with usage. Empty lines are skipped, SSE-style ``data:`` prefixes are tolerated,
unknown event types are skipped (forward compatible). A line that is not JSON raises
:class:`APIResponseValidationError` naming the line; a stream that stops before ``stream_end``
raises :class:`APIConnectionError`. Streams are never retried once the first byte arrived.

```python
from twelvelabs_rag._streaming import NDJSONDecoder
dec = NDJSONDecoder()
assert dec.feed(b'{"a": 1}\\n{"b"') == [b'{"a": 1}'] and dec.feed(b': 2}\\n') == [b'{"b": 2}']
```
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
from pydantic import ValidationError

from ._exceptions import APIConnectionError, APIResponseValidationError, safe_cause
from ._policy import translate_transport_error
from .types.analyze import StreamEnd, StreamStart, TextGeneration

__all__ = ["NDJSONDecoder", "MAX_LINE_BYTES", "parse_event", "Stream", "AsyncStream"]

StreamEventT = StreamStart | TextGeneration | StreamEnd

_EVENTS: dict[str, type[StreamStart] | type[TextGeneration] | type[StreamEnd]] = {
    "stream_start": StreamStart,
    "text_generation": TextGeneration,
    "stream_end": StreamEnd,
}


#: The longest NDJSON line a stream may send (an analyze event is a few KB; this bounds memory).
MAX_LINE_BYTES = 64 * 1024 * 1024


class NDJSONDecoder:
    """Split a byte stream into complete lines (bytes, without the newline).

    Linear in the stream's length however the bytes are chunked: a partial line is kept as a list
    of pieces joined once when its newline arrives, and only the new chunk is searched for a newline
    (re-scanning and re-copying the whole partial line per chunk made an 8 MB line fed in 1 KB
    chunks take 21 s; see benchmarks/ndjson_bench.py). A line longer than ``max_line`` raises
    :class:`APIResponseValidationError` instead of growing without bound.
    """

    def __init__(self, max_line: int = MAX_LINE_BYTES) -> None:
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._max_line = max_line

    def feed(self, chunk: bytes) -> list[bytes]:
        if b"\n" not in chunk:
            self._hold(chunk)
            return []
        first, *rest = chunk.split(b"\n")
        self._pending.append(first)
        lines = [b"".join(self._pending), *rest[:-1]]
        self._pending, self._pending_size = [], 0
        self._hold(rest[-1])
        for line in lines:
            self._check(len(line))
        return [line.rstrip(b"\r") for line in lines]

    def flush(self) -> list[bytes]:
        rest = b"".join(self._pending)
        self._pending, self._pending_size = [], 0
        return [rest] if rest.strip() else []

    def _hold(self, piece: bytes) -> None:
        if piece:
            self._pending.append(piece)
            self._pending_size += len(piece)
            self._check(self._pending_size)

    def _check(self, size: int) -> None:
        if size > self._max_line:
            raise APIResponseValidationError(
                f"analyze stream line longer than {self._max_line} bytes without a newline; the server is "
                "not sending NDJSON events (check base_url)"
            )


def parse_event(line: bytes, *, lineno: int, response: httpx.Response | None = None) -> StreamEventT | None:
    """Parse one NDJSON line into a typed event (None for blank lines and unknown event types)."""
    text = line.strip()
    if not text:
        return None
    if text.startswith(b"data:"):
        text = text[5:].strip()
        if not text or text == b"[DONE]":
            return None
    try:
        obj: Any = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        snippet = text[:80].decode("utf-8", "replace")
        raise APIResponseValidationError(
            f"analyze stream line {lineno} is not JSON ({exc}): {snippet!r}", response=response, body=snippet
        ) from safe_cause(exc, response)
    if not isinstance(obj, dict):
        raise APIResponseValidationError(
            f"analyze stream line {lineno} is not a JSON object: {obj!r:.80}", response=response, body=obj
        )
    cls = _EVENTS.get(str(obj.get("event_type")))
    if cls is None:
        return None
    try:
        return cls.model_validate(obj)
    except ValidationError as exc:
        raise APIResponseValidationError(
            f"analyze stream line {lineno} ({obj.get('event_type')}) has an unexpected shape: {exc}",
            response=response,
            body=obj,
        ) from safe_cause(exc, response)


def _missing_end(response: httpx.Response) -> APIConnectionError:
    return APIConnectionError(
        "The analyze stream ended before its stream_end event (connection cut?); "
        "the text received so far is incomplete. Call analyze again.",
        request=response.request,
    )


class _Events:
    """What both stream twins share: the response, line numbering, event parsing and ``final``."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.final: StreamEnd | None = None
        self._lineno = 0

    def _events(self, lines: list[bytes]) -> Iterator[StreamEventT]:
        for line in lines:
            self._lineno += 1
            event = parse_event(line, lineno=self._lineno, response=self.response)
            if event is not None:
                if isinstance(event, StreamEnd):
                    self.final = event
                yield event


class Stream(_Events):
    """Iterator of typed analyze events. Use as a context manager or iterate to the end.

    ```python
    for event in client.analyze(video_id=vid, prompt="Describe", stream=True):
        if event.event_type == "text_generation":
            print(event.text, end="")
    ```
    """

    def __iter__(self) -> Iterator[StreamEventT]:
        decoder = NDJSONDecoder()
        self._lineno = 0  # line numbers count from the start of each iteration
        try:
            try:
                for chunk in self.response.iter_bytes():
                    yield from self._events(decoder.feed(chunk))
            except httpx.TransportError as exc:
                raise translate_transport_error(exc, self.response.request) from exc
            yield from self._events(decoder.flush())
        finally:
            self.response.close()
        if self.final is None:
            raise _missing_end(self.response)

    def text(self) -> str:
        """Consume the stream and return the generated text."""
        return "".join(e.text for e in self if isinstance(e, TextGeneration))

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncStream(_Events):
    """Async iterator of typed analyze events (``async for event in await client.analyze(..., stream=True)``)."""

    async def __aiter__(self) -> AsyncIterator[StreamEventT]:
        decoder = NDJSONDecoder()
        self._lineno = 0  # line numbers count from the start of each iteration
        try:
            try:
                async for chunk in self.response.aiter_bytes():
                    for event in self._events(decoder.feed(chunk)):
                        yield event
            except httpx.TransportError as exc:
                raise translate_transport_error(exc, self.response.request) from exc
            for event in self._events(decoder.flush()):
                yield event
        finally:
            await self.response.aclose()
        if self.final is None:
            raise _missing_end(self.response)

    async def text(self) -> str:
        """Consume the stream and return the generated text."""
        return "".join([e.text async for e in self if isinstance(e, TextGeneration)])

    async def close(self) -> None:
        await self.response.aclose()

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
