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


def _text(request: httpx.Request) -> str:
    return request.content.split(b'name="text"\r\n\r\n', 1)[1].split(b"\r\n", 1)[0].decode()


def _embed_body(request: httpx.Request) -> dict:
    text = _text(request)
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


class WorkerClocks:
    """Virtual time per worker (thread or task): it moves only when that worker sleeps, so each
    request is stamped with its sender's own timeline and nothing depends on the machine's speed.

    Passed to the client as ``clock=`` and ``sleep=``: the 429 pause the policy decides is measured
    and waited on these clocks; the handler stamps every request with its sender's time."""

    def __init__(self, worker) -> None:
        self.worker = worker  # () -> the current worker's key
        self.at: dict[object, float] = {}
        self.slept: list[float] = []
        self.lock = threading.Lock()

    def clock(self) -> float:
        with self.lock:
            return self.at.get(self.worker(), 0.0)

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)
            key = self.worker()
            self.at[key] = self.at.get(key, 0.0) + seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)  # let the other tasks run, as a real sleep would


@pytest.mark.parametrize("which", ["sync", "async"])
async def test_one_429_holds_back_every_worker(which: str) -> None:
    """A 429 with Retry-After pauses the whole client, not just the request that got it.

    On each worker's own virtual clock: the 429 arrives at time 0 (nobody has slept yet) and says
    "retry after 0.3 s". Only requests that were already past the client's gate when the 429 came
    back (at most max_concurrency - 1) may still arrive at time 0; every other request, the retried
    one included, must be sent at 0.3 or later by its sender's clock."""
    limit, retry_after = 4, 0.3
    clocks = WorkerClocks(threading.get_ident if which == "sync" else asyncio.current_task)
    arrivals: list[tuple[float, str]] = []  # (sender's time, text), in the order the server saw them
    lock = threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            arrivals.append((clocks.clock(), _text(request)))
            if len(arrivals) == 3:
                return httpx.Response(429, headers={"retry-after": str(retry_after)})
        return httpx.Response(200, json=_embed_body(request))

    texts = [f"t{i:02d}" for i in range(16)]
    if which == "sync":
        client = TwelveLabs(api_key="k", base_url="http://x/v1.3", transport=httpx.MockTransport(answer),
                            clock=clocks.clock, sleep=clocks.sleep)
        out = client.embed.create_many(texts, model_name="m", max_concurrency=limit)
    else:
        async def ahandler(request: httpx.Request) -> httpx.Response:
            await asyncio.sleep(0)  # the other workers get to send meanwhile
            return answer(request)

        aclient = AsyncTwelveLabs(api_key="k", base_url="http://x/v1.3", transport=httpx.MockTransport(ahandler),
                                  clock=clocks.clock, sleep=clocks.asleep)
        out = await aclient.embed.create_many(texts, model_name="m", max_concurrency=limit)

    assert len(out) == 16 and len(arrivals) == 17  # every text once, the limited one twice
    limited_at, limited_text = arrivals[2]
    assert limited_at == 0.0
    after = arrivals[3:]
    early = [a for a in after if a[0] < limited_at + retry_after]
    assert len(early) <= limit - 1, f"requests sent during the 429 pause: {early}"
    assert all(t == limited_at for t, _ in early)  # in flight before the pause was known, not sent into it
    retried = [t for t, text in after if text == limited_text]
    assert retried == [limited_at + retry_after]  # the retry waits exactly the server's Retry-After
    assert len(after) - len(early) >= 16 - 3 - (limit - 1) + 1
    assert clocks.slept and all(s <= retry_after for s in clocks.slept)


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
