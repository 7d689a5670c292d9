"""Wire shapes of the less common calls, preflight on/off, and cloud transfers on the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from twelvelabs_rag import PreflightError
from twelvelabs_rag.testing import FakeTwelveLabs
from twelvelabs_rag.testing.samples import make_clip, make_image


async def test_preflight_stops_before_any_byte(make, tmp_path: Path) -> None:
    short = make_clip(tmp_path / "short.mp4", "[0-2] a fox", seconds=2)
    tiny = make_image(tmp_path / "tiny.png", "a fox", width=32, height=32)
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if request.url.path.endswith("/embed"):
            return httpx.Response(200, json={"model_name": "m", "image_embedding": {"segments": [{"float": [1.0]}]}})
        return httpx.Response(200, json={"_id": "t1", "data": [], "page_info": {}})

    h = make(handler)
    with pytest.raises(PreflightError) as info:
        await h.call(h.client.tasks.create, index_id="i1", file=short)
    assert info.value.code == "video_duration_too_short" and "nothing was uploaded" in str(info.value)
    with pytest.raises(PreflightError) as info:
        await h.call(h.client.embed.create, model_name="m", image_file=tiny)
    assert info.value.code == "image_resolution_too_low"
    with pytest.raises(PreflightError):
        await h.call(h.client.search.create, index_id="i1", query_media_file=tiny)
    with pytest.raises(PreflightError):
        await h.call(h.client.embed.tasks.create, model_name="m", video_file=short)
    assert sent == []
    await h.call(h.client.tasks.create, index_id="i1", file=short, preflight=False)  # per call
    await h.call(h.client.embed.create, model_name="m", image_file=tiny, preflight=False)
    assert sent == ["/v1.3/tasks", "/v1.3/embed"]
    off = make(handler, preflight=False)  # client-wide
    await off.call(off.client.tasks.create, index_id="i1", file=short)
    assert sent[-1] == "/v1.3/tasks"


async def test_less_common_wire_shapes(make, parts) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "GET" and request.url.path.endswith("/videos"):
            return httpx.Response(200, json={"data": [], "page_info": {"page": 1, "total_page": 1}})
        return httpx.Response(200, json={"_id": "e1"})

    h = make(handler)
    await h.collect(h.client.indexes.videos.list("i1", duration={"gte": 4, "lte": 60}, filename="fox.mp4",
                                                  user_metadata={"category": "nature", "reviewed": True}))
    q = seen[-1].url.params
    assert (q["duration[gte]"], q["duration[lte]"], q["filename"], q["category"], q["reviewed"]) == \
        ("4", "60", "fox.mp4", "nature", "true")
    await h.call(h.client.embed.tasks.create, model_name="marengo3.0", video_url="https://m/x.mp4",
                 video_start_offset_sec=0, video_end_offset_sec=30, video_clip_length=6,
                 video_embedding_scope=["clip", "video"])
    assert [(n, v) for n, _, v in parts(seen[-1])] == [
        ("model_name", b"marengo3.0"), ("video_url", b"https://m/x.mp4"), ("video_start_offset_sec", b"0"),
        ("video_end_offset_sec", b"30"), ("video_clip_length", b"6"), ("video_embedding_scope", b"clip"),
        ("video_embedding_scope", b"video")]
    await h.call(h.client.indexes.videos.update, "i1", "v1", user_metadata={"keep": 1, "drop": None})
    assert seen[-1].method == "PATCH" and json.loads(seen[-1].content) == {"user_metadata": {"keep": 1, "drop": None}}
    await h.call(h.client.indexes.videos.retrieve, "i1", "v1", embedding_option=["visual", "audio"], transcription=True)
    assert seen[-1].url.query.decode() == "embedding_option=visual&embedding_option=audio&transcription=true"
    await h.call(h.client.indexes.videos.retrieve, "i1", "v1")
    assert seen[-1].url.query == b""  # omitted optionals are not sent
    with pytest.raises(ValueError, match="non-empty"):
        await h.call(h.client.tasks.retrieve, "")
    with pytest.raises(ValueError, match="exactly one"):
        await h.call(h.client.tasks.create, index_id="i1")


async def test_transfers_on_the_emulator(mode: str, tmp_path: Path) -> None:
    fake = FakeTwelveLabs(task_statuses=("ready",))
    clip = make_clip(tmp_path / "fox.mp4", "[0-5] a red fox")
    fake.add_integration("bucket-1", {"fox.mp4": clip})
    c = fake.client() if mode == "sync" else fake.async_client()

    async def call(fn, *a, **kw):
        out = fn(*a, **kw)
        return await out if hasattr(out, "__await__") else out

    index = await call(c.indexes.create, index_name="t", models=[{"model_name": "marengo3.0", "model_options": ["visual"]}])
    result = await call(c.tasks.transfers.create, "bucket-1", index_id=index.id, user_metadata={"src": "s3"})
    assert [v["filename"] for v in result.videos] == ["fox.mp4"]
    status = await call(c.tasks.transfers.get_status, "bucket-1", index_id=index.id)
    assert sum(len(getattr(status, k)) for k in ("validating", "pending", "queued", "indexing", "ready")) == 1
    logs = await call(c.tasks.transfers.get_logs, "bucket-1")
    assert logs.data and logs.data[0]["index_id"] == index.id
