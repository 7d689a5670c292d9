"""Retries through MockTransport handlers: Retry-After, multipart re-sent intact, caps, limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from twelvelabs_rag import APIConnectionError, APITimeoutError, BadRequestError, InternalServerError, RateLimitError


def _ok_index(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"_id": "i1", "index_name": "demo"})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "600"}, 60.0),
    ],
)
async def test_retry_after_honoured(make, headers: dict[str, str], expected: float) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers=headers, json={"code": "too_many_requests", "message": "slow down"})
        return _ok_index(request)

    h = make(handler)
    index = await h.call(h.client.indexes.retrieve, "i1")
    assert index.id == "i1" and len(calls) == 2 and h.sleeps == [expected]


async def test_retry_after_http_date(make) -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(503, headers={"retry-after": format_datetime(when, usegmt=True)})
        return _ok_index(request)

    h = make(handler)
    await h.call(h.client.indexes.retrieve, "i1")
    assert len(h.sleeps) == 1 and 27 <= h.sleeps[0] <= 30


async def test_backoff_without_advice_and_exhaustion(make) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500, json={"error": {"code": "internal_error", "message": "boom"}})

    h = make(handler, max_retries=3)
    with pytest.raises(InternalServerError) as info:
        await h.call(h.client.indexes.retrieve, "i1")
    assert info.value.code == "internal_error" and info.value.status_code == 500
    assert len(calls) == 4
    assert [round(s / b, 2) <= 1.0 and s >= 0.75 * b for s, b in zip(h.sleeps, [0.5, 1.0, 2.0], strict=True)] == [True] * 3


async def test_no_retry_on_400(make) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(400, json={"code": "parameter_invalid", "message": "index_name is required"})

    h = make(handler)
    with pytest.raises(BadRequestError, match="index_name is required"):
        await h.call(h.client.indexes.retrieve, "i1")
    assert len(calls) == 1 and h.sleeps == []


async def test_rate_limit_error_after_retries_carries_retry_after(make) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"retry-after": "2"}, content=b"")  # documented empty body

    h = make(handler, max_retries=1)
    with pytest.raises(RateLimitError) as info:
        await h.call(h.client.search.create, index_id="i1", query_text="fox")
    assert info.value.retry_after == 2.0 and h.sleeps == [2.0]


async def test_multipart_resent_intact_on_every_retry(make, parts, tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x01\x02" * 50_000)
    bodies: list[bytes] = []
    seen_parts = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            bodies.append(request.read())
            seen_parts.append(parts(request))
            if len(bodies) < 3:
                return httpx.Response(429, headers={"retry-after": "0"})
            return httpx.Response(200, json={"_id": "t1", "video_id": "v1"})
        raise AssertionError(f"unexpected {request.method} {request.url}")

    h = make(handler)
    created = await h.call(h.client.tasks.create, index_id="i1", file=video, user_metadata={"k": 1},
                           enable_video_stream=False, preflight=False)
    assert created.id == "t1" and len(bodies) == 3
    assert bodies[0] == bodies[1] == bodies[2]
    names = [p[0] for p in seen_parts[2]]
    assert names == ["index_id", "enable_video_stream", "user_metadata", "video_file"]
    fields = {p[0]: p for p in seen_parts[2]}
    assert fields["index_id"][2] == b"i1" and fields["enable_video_stream"][2] == b"false"
    meta = json.loads(fields["user_metadata"][2])
    assert meta["k"] == 1 and len(meta["tlrag_upload_id"]) == 32
    assert fields["video_file"][1] == "clip.mp4" and fields["video_file"][2] == video.read_bytes()


async def test_search_form_fields_resent(make, parts) -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(parts(request))
        if len(seen) == 1:
            return httpx.Response(502)
        return httpx.Response(200, json={"data": [], "page_info": {"total_results": 0}})

    h = make(handler)
    await h.call(h.client.search.create, index_id="i1", query_text="fox", search_options=["visual", "audio"],
                 group_by="video", operator="and", filter={"category": "nature"}, page_limit=5,
                 include_user_metadata=True)
    assert seen[0] == seen[1]
    assert [(n, v) for n, _, v in seen[1]] == [
        ("index_id", b"i1"), ("query_text", b"fox"), ("search_options", b"visual"),
        ("search_options", b"audio"), ("filter", b'{"category":"nature"}'), ("group_by", b"video"),
        ("operator", b"and"), ("page_limit", b"5"), ("include_user_metadata", b"true"),
    ]


@pytest.mark.parametrize(
    ("exc", "cls"),
    [(httpx.ConnectError("refused"), APIConnectionError), (httpx.ReadTimeout("slow"), APITimeoutError)],
)
async def test_connection_errors_retried_then_translated(make, exc: Exception, cls: type) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise exc

    h = make(handler, max_retries=2)
    with pytest.raises(cls) as info:
        await h.call(h.client.indexes.retrieve, "i1")
    assert len(calls) == 3 and len(h.sleeps) == 2
    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert "GET http://api.test/v1.3/indexes/i1" in str(info.value)


async def test_connect_error_on_upload_retries_without_lookup(make) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json={"_id": "t1"})

    h = make(handler)
    await h.call(h.client.tasks.create, index_id="i1", url="http://media/x.mp4")
    assert calls == ["POST /v1.3/tasks", "POST /v1.3/tasks"]
