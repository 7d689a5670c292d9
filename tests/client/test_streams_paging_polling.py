"""Streams, paging and polling through MockTransport handlers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from twelvelabs_rag import APIConnectionError, APIResponseValidationError, TaskFailedError, WaitTimeoutError
from twelvelabs_rag.types import StreamEnd, StreamStart, TextGeneration

EVENTS = [
    {"event_type": "stream_start", "metadata": {"generation_id": "g1"}},
    {"event_type": "text_generation", "text": "A fox "},
    {"event_type": "text_generation", "text": "runs."},
    {"event_type": "stream_end", "finish_reason": "stop",
     "metadata": {"generation_id": "g1", "usage": {"output_tokens": 4, "input_tokens": 9}}},
]


def _ndjson(lines: list[Any]) -> bytes:
    return b"".join((json.dumps(x).encode() if not isinstance(x, bytes) else x) + b"\n" for x in lines)


async def _events(h: Any, **kw: Any) -> tuple[Any, list[Any]]:
    stream = await h.call(h.client.analyze, video_id="v1", prompt="describe", stream=True, **kw)
    if h.mode == "sync":
        return stream, list(stream)
    return stream, [e async for e in stream]


async def test_stream_events_typed(make) -> None:
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, headers={"content-type": "application/x-ndjson"}, content=_ndjson(EVENTS))

    h = make(handler)
    stream, events = await _events(h)
    assert [type(e) for e in events] == [StreamStart, TextGeneration, TextGeneration, StreamEnd]
    assert "".join(e.text for e in events if isinstance(e, TextGeneration)) == "A fox runs."
    assert stream.final is events[-1] and stream.final.usage.output_tokens == 4
    assert sent == [{"prompt": "describe", "video_id": "v1", "stream": True}]


async def test_a_last_line_without_newline_still_ends_the_stream(make) -> None:
    """The decoder's final flush, end to end: a server that does not end its last line with "\\n"."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = _ndjson(EVENTS).rstrip(b"\n")  # stream_end is the unterminated last line
        return httpx.Response(200, headers={"content-type": "application/x-ndjson"}, content=body)

    h = make(handler)
    stream, events = await _events(h)
    assert [type(e) for e in events] == [StreamStart, TextGeneration, TextGeneration, StreamEnd]
    assert stream.final is events[-1]


async def test_bad_ndjson_line_is_a_clear_error_and_not_retried(make) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, content=_ndjson([EVENTS[0], b"{oops", EVENTS[3]]))

    h = make(handler)
    with pytest.raises(APIResponseValidationError, match="line 2 is not JSON"):
        await _events(h)
    assert len(calls) == 1


async def test_cut_stream_raises_connection_error(make) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=_ndjson(EVENTS[:2]))

    h = make(handler)
    with pytest.raises(APIConnectionError, match="before its stream_end"):
        await _events(h)


async def test_stream_error_status_before_first_byte_is_retried(make) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers={"retry-after": "1"})
        return httpx.Response(200, content=_ndjson(EVENTS))

    h = make(handler)
    _, events = await _events(h)
    assert len(events) == 4 and h.sleeps == [1.0]


class Answer(BaseModel):
    title: str
    n: int


async def test_analyze_json_schema_and_video_object(make) -> None:
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"id": "g", "data": '{"title": "fox", "n": 1}', "finish_reason": "stop",
                                         "usage": {"output_tokens": 5}})

    h = make(handler)
    res = await h.call(h.client.analyze, video={"type": "url", "url": "https://m/x.mp4"}, prompt="p",
                       response_format=Answer, temperature=0.2, max_tokens=100, model_name="pegasus1.5")
    assert Answer.model_validate_json(res.data) == Answer(title="fox", n=1) and res.usage.output_tokens == 5
    body = sent[0]
    assert body["video"] == {"type": "url", "url": "https://m/x.mp4"} and body["stream"] is False
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["properties"]["n"]["type"] == "integer"
    assert (body["temperature"], body["max_tokens"], body["model_name"]) == (0.2, 100, "pegasus1.5")
    with pytest.raises(ValueError, match="exactly one"):
        await h.call(h.client.analyze, prompt="p")


def _pages(total: int, per: int) -> Any:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        page = int(request.url.params.get("page", "1"))
        start = (page - 1) * per
        data = [{"_id": f"i{n}", "index_name": f"n{n}"} for n in range(start, min(start + per, total))]
        pages = max(1, -(-total // per))
        return httpx.Response(200, json={"data": data, "page_info": {"page": page, "limit_per_page": per,
                                                                      "total_page": pages, "total_results": total}})

    return handler, calls


async def test_list_walks_every_page_lazily(make) -> None:
    handler, calls = _pages(total=7, per=3)
    h = make(handler)
    pager = h.client.indexes.list(page_limit=3, model_options=["visual", "audio"])
    assert calls == []  # lazy
    items = await h.collect(pager)
    assert [i.id for i in items] == [f"i{n}" for n in range(7)]
    assert len(calls) == 3  # total_page stops the walk: no extra empty request
    assert calls[1].url.params["page"] == "2" and calls[1].url.params["page_limit"] == "3"
    assert calls[0].url.params["model_options"] == "visual,audio"


async def test_two_live_pages_of_different_queries_each_fetch_their_own_next_page(make) -> None:
    # Each page carries the query it was fetched with (ListPage.request_params), not a side table.
    handler, calls = _pages(total=7, per=3)
    h = make(handler)
    walks = [h.client.indexes.list(page_limit=3, index_name=name).pages() for name in ("fox", "owl")]

    async def step(walk: Any) -> Any:
        return next(walk) if h.mode == "sync" else await walk.__anext__()

    fox1, owl1 = await step(walks[0]), await step(walks[1])  # both first pages alive at once
    assert fox1.request_params["index_name"] == "fox" and owl1.request_params["index_name"] == "owl"
    owl2 = await step(walks[1])
    fox2 = await step(walks[0])
    asked = [(c.url.params["index_name"], c.url.params["page"]) for c in calls]
    assert asked == [("fox", "1"), ("owl", "1"), ("owl", "2"), ("fox", "2")]
    assert (fox2.request_params["page"], owl2.request_params["page"]) == (2, 2)
    assert [i.id for i in fox2.data] == [i.id for i in owl2.data] == ["i3", "i4", "i5"]


async def test_search_query_follows_tokens(make) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}?{request.url.query.decode()}")
        token = {"POST": "t2", "/v1.3/search/t2": "t3"}.get(request.method if request.method == "POST" else request.url.path)
        n = len(calls)
        info = {"next_page_token": token} if token else {}
        return httpx.Response(200, json={"data": [{"video_id": f"v{n}", "start": 0, "end": 4, "rank": n}],
                                         "page_info": info})

    h = make(handler)
    items = await h.collect(h.client.search.query(index_id="i1", query_text="fox", include_user_metadata=True))
    assert [i.video_id for i in items] == ["v1", "v2", "v3"]
    assert calls[1:] == ["GET /v1.3/search/t2?include_user_metadata=true", "GET /v1.3/search/t3?include_user_metadata=true"]


def _task_handler(statuses: list[str]) -> Any:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        status = statuses[min(len(seen), len(statuses) - 1)]
        seen.append(status)
        return httpx.Response(200, json={"_id": "t1", "status": status, "video_id": "v1"})

    return handler, seen


async def test_wait_reports_every_poll_including_first(make) -> None:
    handler, _ = _task_handler(["validating", "indexing", "ready"])
    h = make(handler, poll_interval=2)
    progress: list[str] = []
    task = await h.call(h.client.tasks.wait, "t1", on_progress=lambda t: progress.append(t.status))
    assert task.status == "ready" and progress == ["validating", "indexing", "ready"] and h.sleeps == [2, 2]


async def test_wait_already_done_still_calls_back(make) -> None:
    handler, _ = _task_handler(["ready"])
    h = make(handler)
    progress: list[str] = []
    await h.call(h.client.tasks.wait, "t1", on_progress=lambda t: progress.append(t.status))
    assert progress == ["ready"]


async def test_wait_failed_raises(make) -> None:
    handler, _ = _task_handler(["indexing", "failed"])
    h = make(handler)
    with pytest.raises(TaskFailedError) as info:
        await h.call(h.client.tasks.wait, "t1")
    assert info.value.task_id == "t1" and info.value.task.status == "failed"


async def test_wait_timeout_with_injected_clock(make) -> None:
    handler, seen = _task_handler(["indexing"])
    now = [0.0]

    def advance(seconds: float) -> None:
        now[0] += seconds

    h = make(handler, clock=lambda: now[0], on_sleep=advance, poll_interval=5)
    with pytest.raises(WaitTimeoutError) as info:
        await h.call(h.client.tasks.wait, "t1", timeout=12)
    assert info.value.last_status == "indexing" and info.value.task_id == "t1"
    assert h.sleeps == [5, 5, 2] and len(seen) == 4  # the last sleep lands on the deadline


async def test_async_page_can_be_awaited_first() -> None:
    from twelvelabs_rag import AsyncTwelveLabs

    handler, calls = _pages(total=5, per=2)
    client = AsyncTwelveLabs(api_key="k", base_url="http://x/v1.3", transport=httpx.MockTransport(handler))
    pager = await client.indexes.list(page_limit=2)  # fetches the first page only
    assert len(calls) == 1 and (await pager.first_page()).page_info.total_page == 3
    assert [i.id for i in await pager.to_list()] == ["i0", "i1", "i2", "i3", "i4"] and len(calls) == 3
    await client.aclose()
