"""Bulk helpers stay inside the in-flight limit, keep order, and back off on 429."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import numpy as np
import pytest

from twelvelabs_rag import AsyncTwelveLabs, BadRequestError, TwelveLabs


class Meter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.calls = 0

    def enter(self) -> int:
        with self.lock:
            self.now += 1
            self.calls += 1
            self.peak = max(self.peak, self.now)
            return self.calls

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


def _embed_body(request: httpx.Request) -> dict:
    text = request.content.split(b'name="text"\r\n\r\n', 1)[1].split(b"\r\n", 1)[0].decode()
    return {"model_name": "marengo3.0", "text_embedding": {"segments": [{"float": [float(len(text)), 1.0]}]}}


async def test_async_bulk_limit_order_and_429() -> None:
    meter = Meter()
    limited = {"n": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        n = meter.enter()
        try:
            await asyncio.sleep(0.005)
            if n in (5, 6, 7):
                limited["n"] += 1
                return httpx.Response(429, headers={"retry-after": "0.01"})
            return httpx.Response(200, json=_embed_body(request))
        finally:
            meter.leave()

    client = AsyncTwelveLabs(api_key="k", base_url="http://x/v1.3", transport=httpx.MockTransport(handler), max_retries=0)
    texts = ["a" * n for n in range(1, 41)]
    out = await client.embed.create_many(texts, model_name="marengo3.0", max_concurrency=4)
    assert [r.text_embedding.vector[0] for r in out] == [float(n) for n in range(1, 41)]
    assert out[0].text_embedding.vector.dtype == np.float32
    assert meter.peak <= 4 and meter.peak >= 2 and limited["n"] == 3


def test_sync_bulk_limit_and_order() -> None:
    meter = Meter()

    def handler(request: httpx.Request) -> httpx.Response:
        meter.enter()
        try:
            time.sleep(0.003)
            return httpx.Response(200, json=_embed_body(request))
        finally:
            meter.leave()

    client = TwelveLabs(api_key="k", base_url="http://x/v1.3", transport=httpx.MockTransport(handler))
    texts = ["b" * n for n in range(1, 31)]
    out = client.embed.create_many(texts, model_name="marengo3.0", max_concurrency=3)
    assert [r.text_embedding.vector[0] for r in out] == [float(n) for n in range(1, 31)]
    assert 1 <= meter.peak <= 3


async def test_bulk_error_stops_or_is_returned(mode: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if b'name="text"\r\n\r\nbad\r\n' in request.content:  # not just b"bad": the boundary is hex
            return httpx.Response(400, json={"code": "parameter_invalid", "message": "bad text"})
        return httpx.Response(200, json=_embed_body(request))

    texts = ["ok", "bad", "fine"]
    if mode == "sync":
        client = TwelveLabs(api_key="k", base_url="http://x/v1.3", transport=httpx.MockTransport(handler))
        with pytest.raises(BadRequestError):
            client.embed.create_many(texts, model_name="m", max_concurrency=2)
        out = client.embed.create_many(texts, model_name="m", max_concurrency=2, return_exceptions=True)
    else:
        aclient = AsyncTwelveLabs(api_key="k", base_url="http://x/v1.3", transport=httpx.MockTransport(handler))
        with pytest.raises(BadRequestError):
            await aclient.embed.create_many(texts, model_name="m", max_concurrency=2)
        out = await aclient.embed.create_many(texts, model_name="m", max_concurrency=2, return_exceptions=True)
    assert isinstance(out[1], BadRequestError) and out[0].text_embedding is not None and out[2] is not None
    with pytest.raises(ValueError):
        TwelveLabs(api_key="k").embed.create_many(["x"], model_name="m", max_concurrency=0)
    with pytest.raises(TypeError):
        TwelveLabs(api_key="k").embed.create_many("not a list", model_name="m")


async def test_tasks_create_many_on_the_emulator(mode: str, tmp_path) -> None:
    from twelvelabs_rag.testing import FakeTwelveLabs
    from twelvelabs_rag.testing.samples import make_clip

    clips = [make_clip(tmp_path / f"c{i}.mp4", f"[0-4] scene number {i}") for i in range(4)]
    fake = FakeTwelveLabs()
    fake.add_media("https://media.test/u.mp4", clips[0])
    c = fake.client() if mode == "sync" else fake.async_client()
    index = c.indexes.create(index_name="b", models=[{"model_name": "marengo3.0", "model_options": ["visual"]}])
    if mode == "async":
        index = await index
    out = c.tasks.create_many(index_id=index.id, files=clips, urls=["https://media.test/u.mp4"], max_concurrency=2)
    if mode == "async":
        out = await out
    assert len(out) == 5 and len(set(t.id for t in out)) == 5 and set(fake.tasks) == {t.id for t in out}
    assert [fake.videos[t.video_id].media.filename for t in out[:4]] == [p.name for p in clips]  # input order
    posted = [r.files[0][1] if r.files else r.form.get("video_url", [None])[0] for r in fake.calls("POST /tasks")]
    assert sorted(map(str, posted)) == sorted([p.name for p in clips] + ["https://media.test/u.mp4"])
    assert fake.max_in_flight <= 2


@pytest.mark.parametrize("which", ["sync", "async"])
async def test_one_429_holds_back_every_worker(which: str) -> None:
    """A 429 with Retry-After pauses the whole client, not just the request that got it."""
    arrivals: list[float] = []
    lock = threading.Lock()
    state = {"limited_at": None}

    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            now = time.monotonic()
            arrivals.append(now)
            if len(arrivals) == 3:
                state["limited_at"] = now
                return httpx.Response(429, headers={"retry-after": "0.3"})
        return httpx.Response(200, json=_embed_body(request))

    texts = [f"t{i}" for i in range(16)]
    if which == "sync":
        def handler(request: httpx.Request) -> httpx.Response:
            time.sleep(0.03)
            return answer(request)

        client = TwelveLabs(api_key="k", base_url="http://x/v1.3", transport=httpx.MockTransport(handler))
        out = client.embed.create_many(texts, model_name="m", max_concurrency=4)
    else:
        async def ahandler(request: httpx.Request) -> httpx.Response:
            await asyncio.sleep(0.03)
            return answer(request)

        aclient = AsyncTwelveLabs(api_key="k", base_url="http://x/v1.3", transport=httpx.MockTransport(ahandler))
        out = await aclient.embed.create_many(texts, model_name="m", max_concurrency=4)
    assert len(out) == 16 and state["limited_at"] is not None
    t429 = state["limited_at"]
    inside = [t - t429 for t in arrivals if 0.05 < t - t429 < 0.27]
    assert inside == [], f"requests sent during the 429 pause: {inside}"
    assert any(t - t429 >= 0.27 for t in arrivals)


async def test_public_bulk_raises_a_non_api_error_as_is_in_both_twins(mode: str) -> None:
    """twelvelabs_rag.bulk (used by the framework packages): a plain exception from ``fn`` (a missing file,
    a bad argument) comes out as itself, sync and async alike -- the async twin wrapped it in an
    ExceptionGroup (anyio task group), so ``except FileNotFoundError`` in a framework never matched."""
    from twelvelabs_rag.bulk import amap_bounded, map_bounded
    from twelvelabs_rag.testing import FakeTwelveLabs

    fake = FakeTwelveLabs()
    seen: list[int] = []

    def check(i: int) -> int:
        seen.append(i)
        if i == 1:
            raise FileNotFoundError("clip-1.mp4")
        return i

    async def acheck(i: int) -> int:
        await asyncio.sleep(0)
        return check(i)

    with pytest.raises(FileNotFoundError, match="clip-1"):
        if mode == "sync":
            map_bounded(fake.client(), list(range(40)), check, max_concurrency=2)
        else:
            await amap_bounded(fake.async_client(), list(range(40)), acheck, max_concurrency=2)
    assert 1 in seen and len(seen) < 40  # the queued items never started
