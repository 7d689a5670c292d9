"""The SSE decoder and the Responses stream: framing rules, typed events, and typed errors for
streams that are cut, truncated, out of order or not event streams at all (sync and async)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from _hosted_support import call, collect
from hypothesis import given, settings
from hypothesis import strategies as st

from twelvelabs_rag import AsyncTwelveLabs, TwelveLabs
from twelvelabs_rag._exceptions import APIConnectionError, APIResponseValidationError, BadRequestError
from twelvelabs_rag._sse import SSEDecoder, SSEEvent, StreamCutError
from twelvelabs_rag.testing import serve
from twelvelabs_rag.types.responses import KeepaliveEvent, OutputTextDeltaEvent, ResponseEvent

WIRE = (b": a comment\r\nevent: response.created\r\ndata: {\"a\": 1}\r\n\r\n"
        b"data: line one\ndata:  two spaces\nid: 7\nretry: 1500\n\n"
        b"event: x\rdata: cr only\r\r"
        b"data: [DONE]\n\n")
EXPECTED = [SSEEvent("response.created", '{"a": 1}'), SSEEvent("message", "line one\n two spaces", "7", 1500),
            SSEEvent("x", "cr only", "7"), SSEEvent("message", "[DONE]", "7")]


def _decode(chunks: list[bytes]) -> tuple[list[SSEEvent], SSEDecoder]:
    dec = SSEDecoder()
    out = [e for c in chunks for e in dec.feed(c)]
    return out, dec


def test_decoder_follows_the_event_stream_rules() -> None:
    events, dec = _decode([WIRE])
    assert events == EXPECTED and not dec.mid_event


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(WIRE)), max_size=12))
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(WIRE)]
    events, dec = _decode([WIRE[a:b] for a, b in zip(bounds, bounds[1:], strict=False)])
    assert events == EXPECTED and not dec.mid_event


def test_cr_at_a_chunk_end_and_lf_at_the_next_start_are_one_line_end() -> None:
    events, _ = _decode([b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"])
    assert events == [SSEEvent("message", "a\nb")]


def test_an_empty_read_between_cr_and_lf_keeps_them_one_line_end() -> None:
    """Regression: an empty chunk used to reset the pending CR, so the LF after it ended an extra line."""
    events, _ = _decode([b"data: a\r", b"", b"\ndata: b\n\n"])
    assert events == [SSEEvent("message", "a\nb")]


def test_multibyte_text_split_across_chunks() -> None:
    raw = 'data: {"delta": "0–4 s, café"}\n\n'.encode()
    events, _ = _decode([raw[:18], raw[18:19], raw[19:]])
    assert json.loads(events[0].data)["delta"] == "0–4 s, café"


def test_a_buffered_partial_event_is_reported() -> None:
    _, dec = _decode([b"data: {\"type\": \"x\"}\n"])
    assert dec.mid_event
    _, dec = _decode([b"data: {\"ty"])
    assert dec.mid_event


# ---------------------------------------------------------------------------------------------- typed stream
def _event(kind: str, seq: int, **payload: Any) -> bytes:
    return f"event: {kind}\ndata: {json.dumps({'type': kind, 'sequence_number': seq, **payload})}\n\n".encode()


_RESPONSE = {"id": "resp_1", "status": "completed", "session_id": "sess_1",
             "output": [{"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
                         "content": [{"type": "output_text", "text": "Hi there", "annotations": []}]}]}
_FULL = (_event("response.created", 0, response={**_RESPONSE, "status": "in_progress", "output": []})
         + _event("keepalive", 1) + _event("response.output_text.delta", 2, delta="Hi")
         + _event("response.future_thing", 3, x=1) + _event("response.output_text.delta", 4, delta=" there")
         + _event("response.completed", 5, response=_RESPONSE) + b"data: [DONE]\n\n")


def _client(mode: str, body: bytes, content_type: str = "text/event-stream") -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": content_type}, content=body)

    cls = TwelveLabs if mode == "sync" else AsyncTwelveLabs
    return cls(api_key="tlk_secret_key", base_url="http://api.test/v1.3", transport=httpx.MockTransport(handler))


async def _stream(client: Any) -> Any:
    return await call(client.responses.create, knowledge_store_id="ks_1", input="hello", stream=True)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_typed_events_unknown_types_kept_and_final(mode: str) -> None:
    stream = await _stream(_client(mode, _FULL))
    events = await collect(stream)
    assert [type(e) for e in events[1:3]] == [KeepaliveEvent, OutputTextDeltaEvent]
    assert type(events[3]) is ResponseEvent and events[3].type == "response.future_thing"
    assert stream.final.output_text == "Hi there" and stream.done


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_text_helper_consumes_the_stream(mode: str) -> None:
    stream = await _stream(_client(mode, _FULL))
    assert await call(stream.text) == "Hi there"


CUTS: dict[str, tuple[bytes, str]] = {
    "before the final event": (_FULL[: _FULL.index(b"event: response.completed")], "before its final event"),
    "in the middle of an event": (_FULL[: _FULL.index(b"event: response.completed") + 40], "in the middle of an event"),
}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("cut", list(CUTS))
async def test_a_stream_that_ends_early_raises_stream_cut_after_the_events_received(mode: str, cut: str) -> None:
    body, message = CUTS[cut]
    stream = await _stream(_client(mode, body))
    received: list[Any] = []
    with pytest.raises(StreamCutError, match=message) as info:
        if mode == "sync":
            received.extend(stream)
        else:
            async for event in stream:
                received.append(event)
    assert [e.sequence_number for e in received] == [0, 1, 2, 3, 4]
    assert isinstance(info.value, APIConnectionError) and "session_id" in str(info.value)
    assert "tlk_secret_key" not in str(info.value)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_a_failed_response_is_a_complete_stream(mode: str) -> None:
    failed = {**_RESPONSE, "status": "failed", "output": []}
    stream = await _stream(_client(mode, _event("response.failed", 0, response=failed)))  # no [DONE] either
    assert [e.type for e in await collect(stream)] == ["response.failed"] and stream.final.status == "failed"


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("body", "message"), [
    (_event("response.output_text.delta", 3, delta="a") + _event("response.output_text.delta", 2, delta="b"),
     "went back from sequence_number 3 to 2"),
    (b"event: response.output_text.delta\ndata: {not json\n\n", "not JSON"),
    (b"data: {\"type\": \"response.output_text.delta\", \"delta\": \"x\"}\n\n", "unexpected shape"),
])
async def test_malformed_events_raise_validation_errors(mode: str, body: bytes, message: str) -> None:
    stream = await _stream(_client(mode, body))
    with pytest.raises(APIResponseValidationError, match=message):
        await collect(stream)


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_an_answer_that_is_not_an_event_stream_is_refused(mode: str) -> None:
    with pytest.raises(APIResponseValidationError, match="not 'text/event-stream'"):
        await _stream(_client(mode, b'{"id": "resp_1"}', content_type="application/json"))


# ---------------------------------------------------------------------------------------------- emulator cut
MODES = [("sync", "inproc"), ("async", "inproc"), ("sync", "loopback"), ("async", "loopback")]


@pytest.mark.parametrize(("mode", "where"), MODES)
async def test_emulator_stream_cut_mid_way_raises_a_typed_error(mode: str, where: str, fake: Any,
                                                                hosted_media: dict[str, Path]) -> None:
    ks = fake.client().knowledge_stores.create(name="cut")
    fake.client().knowledge_stores.items.create_and_wait(ks.id, asset_id=fake.add_asset(hosted_media["wildlife.mp4"]))

    async def run(client: Any) -> None:
        whole = await collect(await call(client.responses.create, knowledge_store_id=ks.id, input="the fox", stream=True))
        fake.cut_stream_next()
        stream = await call(client.responses.create, knowledge_store_id=ks.id, input="the fox", stream=True)
        received: list[Any] = []
        with pytest.raises(StreamCutError, match="incomplete"):
            if mode == "sync":
                received.extend(stream)
            else:
                async for event in stream:
                    received.append(event)
        assert 0 < len(received) < len(whole) and stream.final is None
        assert [e.type for e in received] == [e.type for e in whole[: len(received)]]
        again = await collect(await call(client.responses.create, knowledge_store_id=ks.id, input="the fox", stream=True))
        assert [e.type for e in again] == [e.type for e in whole]  # the next stream is whole again

    await _with_client(mode, where, fake, run)


async def _with_client(mode: str, where: str, fake: Any, body: Callable[[Any], Any]) -> None:
    if where == "inproc":
        await body(fake.client() if mode == "sync" else fake.async_client())
        return
    with serve(fake) as base_url:
        cls = TwelveLabs if mode == "sync" else AsyncTwelveLabs
        client = cls(api_key="tlk_test", base_url=base_url, max_retries=0)
        try:
            await body(client)
        finally:
            await call(client.close if mode == "sync" else client.aclose)


def test_bad_input_is_refused_before_any_request() -> None:
    client = _client("sync", _FULL)
    with pytest.raises(ValueError, match="1 to 10000 characters"):
        client.responses.create(knowledge_store_id="ks_1", input="x" * 10_001)
    with pytest.raises(ValueError, match="input is empty"):
        client.responses.create(knowledge_store_id="ks_1", input=[])
    with pytest.raises(ValueError, match="selections\\[0\\]"):
        client.responses.create(knowledge_store_id="ks_1", input="q", selections=[{"kind": "video", "id": "x"}])
    with pytest.raises(BadRequestError):
        _server_error_client().responses.create(knowledge_store_id="ks_1", input="q")


def _server_error_client() -> TwelveLabs:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"code": "parameter_invalid", "message": "bad"})

    return TwelveLabs(api_key="k", base_url="http://api.test/v1.3", transport=httpx.MockTransport(handler))


def test_an_endless_event_is_refused_instead_of_filling_memory() -> None:
    dec = SSEDecoder(max_event_bytes=64)
    assert dec.feed(b"data: " + b"x" * 40 + b"\n\n")  # fits
    with pytest.raises(APIResponseValidationError, match="exceeds 64 bytes"):
        for _ in range(10):
            dec.feed(b"y" * 10)  # one line that never ends
    dec = SSEDecoder(max_event_bytes=64)
    with pytest.raises(APIResponseValidationError, match="exceeds 64 bytes"):
        dec.feed(b"data: 0123456789\n" * 8)  # many data lines, no blank line


def test_buffer_accounting_survives_lines_split_over_reads() -> None:
    dec = SSEDecoder(max_event_bytes=64)
    for _ in range(100):  # every event fits; a leak in the accounting would trip the limit
        assert [e.data for e in dec.feed(b"data: 0123")] == []
        assert [e.data for e in dec.feed(b"456789\n\n")] == ["0123456789"]
